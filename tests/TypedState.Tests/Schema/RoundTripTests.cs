using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedState.InMemory;

namespace TypedState.Tests.Schema;

/// <summary>
/// The generated serializers against System.Text.Json: values survive a round trip, System.Text.Json (reflection,
/// web defaults) reads what they write and they read what it writes, and apart from the leading <c>$version</c>
/// they write the same bytes.
/// </summary>
public sealed class RoundTripTests
{
    /// <summary>
    /// System.Text.Json by reflection with the store's defaults (web, and the store's encoder: relaxed escaping that
    /// keeps supplementary-plane characters as UTF-8).
    /// </summary>
    internal static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web)
    {
        Encoder = new StateManagerOptions().SerializerOptions.Encoder,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>A value's contents as System.Text.Json (reflection) writes them: equal text, equal values.</summary>
    internal static string Canonical<T>(T value) => JsonSerializer.Serialize(value, Reflection);

    /// <summary>The document without its leading <c>"$version":N,</c>, which System.Text.Json does not write.</summary>
    internal static byte[] WithoutVersion(byte[] document, int version)
    {
        var prefix = Encoding.UTF8.GetBytes($"{{\"$version\":{version},");
        Assert.True(document.AsSpan().StartsWith(prefix), "the document starts with $version: " + Encoding.UTF8.GetString(document));
        return [(byte)'{', .. document.AsSpan(prefix.Length)];
    }

    /// <summary>
    /// Every check of this class for one value of a generated type. <paramref name="compareObjects"/>: also compare the
    /// values read member by member (not for JSON nodes, whose values read from text differ from the ones built in code
    /// in their runtime types, though they write the same text).
    /// </summary>
    internal static void AssertCompatible<T>(T value, bool compareObjects = true)
        where T : IStateType<T>
    {
        var schema = T.Schema;
        var ours = schema.Serialize(value);
        var theirs = JsonSerializer.SerializeToUtf8Bytes(value, Reflection);
        var expected = Canonical(value);

        // The same bytes, apart from $version.
        Assert.Equal(Encoding.UTF8.GetString(theirs), Encoding.UTF8.GetString(WithoutVersion(ours, schema.Version)));

        // Our round trip.
        var back = schema.Deserialize(ours);
        Assert.Equal(expected, Canonical(back));
        if (compareObjects)
        {
            Assert.Equivalent(value, back, strict: true);
        }

        // System.Text.Json reads ours…
        var read = JsonSerializer.Deserialize<T>(ours, Reflection);
        Assert.Equal(expected, Canonical(read));

        // …and we read System.Text.Json's.
        var fromTheirs = schema.Deserialize(theirs);
        Assert.Equal(expected, Canonical(fromTheirs));
        if (compareObjects)
        {
            Assert.Equivalent(value, fromTheirs, strict: true);
        }
    }

    [Theory]
    [MemberData(nameof(RoundTripSamples.Names), MemberType = typeof(RoundTripSamples))]
    public void Every_supported_member_type_round_trips_and_matches_System_Text_Json(string sample)
    {
        var value = RoundTripSamples.Create(sample);

        AssertCompatible(value);

        var back = Everything.StateSchema.Deserialize(Everything.StateSchema.Serialize(value));
        Assert.Equal(value.UtcTime.Kind, back.UtcTime.Kind);
        Assert.Equal(value.LocalTime.Kind, back.LocalTime.Kind);
        Assert.Equal(DateTimeKind.Unspecified, back.UnspecifiedTime.Kind);
        Assert.Equal(value.MaybeWhen?.Kind, back.MaybeWhen?.Kind);
        Assert.Equal(value.UtcTime.Ticks, back.UtcTime.Ticks);
        Assert.Equal(value.LocalTime.Ticks, back.LocalTime.Ticks);
        Assert.Equal(value.UnspecifiedTime.Ticks, back.UnspecifiedTime.Ticks);
        Assert.Equal(value.Offset.Offset, back.Offset.Offset);
        Assert.Equal(value.Offset.UtcTicks, back.Offset.UtcTicks);
        Assert.Equal(value.Text, back.Text);
        Assert.Equal(value.Names, back.Names);
        Assert.Equal(value.Bytes, back.Bytes);
        Assert.Equal(value.F32, back.F32);
        Assert.Equal(value.F64, back.F64);
        Assert.Equal(value.Cash, back.Cash);
        Assert.Equal(value.Readings.Select(BitConverter.DoubleToInt64Bits), back.Readings.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Extreme_numbers_are_read_back_exactly()
    {
        var back = Everything.StateSchema.Deserialize(Everything.StateSchema.Serialize(RoundTripSamples.Extremes()));
        Assert.Equal(ulong.MaxValue, back.U64);
        Assert.Equal(long.MaxValue, back.I64);
        Assert.Equal(decimal.MaxValue, back.Cash);
        Assert.Equal(float.MaxValue, back.F32);
        Assert.Equal(double.MaxValue, back.F64);
        Assert.Equal(double.Epsilon, back.MaybeDouble);
        Assert.Equal(decimal.MaxValue, back.MaybeMoney);
        Assert.Equal(TimeSpan.MaxValue, back.Span);
        Assert.Equal(DateTimeOffset.MaxValue, back.MaybeOffset);
        Assert.Equal(Huge.Max, back.Huge);
        Assert.Equal((Color)int.MaxValue, back.Color);
        Assert.Equal('\uFFFF', back.Letter);

        var low = Everything.StateSchema.Deserialize(Everything.StateSchema.Serialize(RoundTripSamples.Minimums()));
        Assert.Equal(long.MinValue, low.I64);
        Assert.Equal(sbyte.MinValue, low.I8);
        Assert.Equal(decimal.MinValue, low.Cash);
        Assert.Equal(double.MinValue, low.F64);
        Assert.Equal(-double.Epsilon, low.MaybeDouble);
        Assert.Equal(TimeSpan.MinValue, low.Span);
        Assert.Equal(DateTimeOffset.MinValue, low.Offset);
        Assert.Equal(default, low.UnspecifiedTime);
        Assert.Equal('\0', low.Letter);
        Assert.Equal('\0', low.MaybeChar);
        Assert.True(double.IsNegative(low.Where.Lat));
    }

    [Fact]
    public void Unicode_strings_keep_every_code_unit_and_are_escaped_like_System_Text_Json()
    {
        var value = RoundTripSamples.Unicode();
        var ours = Everything.StateSchema.Serialize(value);
        var text = Encoding.UTF8.GetString(ours);

        // Non-ASCII characters stay as UTF-8, astral ones (surrogate pairs, such as emoji) included; quotes,
        // backslashes and control characters are escaped.
        Assert.Contains("中文", text, StringComparison.Ordinal);
        Assert.Contains("Straße", text, StringComparison.Ordinal);
        Assert.Contains("astral 😀 𝄞 𠜎 and 👩‍👩‍👧‍👦", text, StringComparison.Ordinal);
        Assert.Contains("\"😀\":{\"x\":1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\uD83D", text, StringComparison.Ordinal);
        Assert.Contains("\\u0000", text, StringComparison.Ordinal);
        Assert.Contains("quote \\\" backslash \\\\", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\0", text, StringComparison.Ordinal);

        var back = Everything.StateSchema.Deserialize(ours);
        Assert.Equal(value.Text, back.Text);
        Assert.Equal(RoundTripSamples.HardStrings, back.Names);
        Assert.Equal('"', back.Letter);
        Assert.Equal('\\', back.MaybeChar);
        Assert.Equal(value.Scores, back.Scores);
        Assert.Equal(value.Places.Keys, back.Places.Keys);
        Assert.Equal("€\u0000😀", back.Price.Currency);
    }

    [Fact]
    public void Enums_are_numbers_unless_they_ask_for_names_and_flags_are_comma_separated_names()
    {
        var value = RoundTripSamples.Typical();
        var document = JsonDocument.Parse(Everything.StateSchema.Serialize(value)).RootElement;

        Assert.Equal(2, document.GetProperty("color").GetInt32());
        Assert.Equal(ulong.MaxValue, document.GetProperty("huge").GetUInt64());
        Assert.Equal(short.MinValue, document.GetProperty("polarity").GetInt16());
        Assert.Equal(long.MinValue, document.GetProperty("wide").GetInt64());
        Assert.Equal((1 << 30) | 1, document.GetProperty("bits").GetInt32());
        Assert.Equal("VeryHappy", document.GetProperty("mood").GetString());
        Assert.Equal("Read, Execute", document.GetProperty("permissions").GetString());
        Assert.Equal("Angry", document.GetProperty("maybeMood").GetString());
        Assert.Equal(["None", "All", "Read, Write"], document.GetProperty("permissionList").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Enum_values_without_a_name_round_trip_as_numbers_like_System_Text_Json()
    {
        var value = RoundTripSamples.Typical();
        value.Mood = (Mood)42;
        value.MaybeMood = (Mood)(-1);
        value.Permissions = (Permissions)8;
        value.PermissionList = [(Permissions)(1 | 16)];

        AssertCompatible(value);

        var document = JsonDocument.Parse(Everything.StateSchema.Serialize(value)).RootElement;
        Assert.Equal(42, document.GetProperty("mood").GetInt32());
        Assert.Equal(-1, document.GetProperty("maybeMood").GetInt32());
        Assert.Equal(8, document.GetProperty("permissions").GetInt32());
    }

    [Fact]
    public void Positional_records_init_only_and_required_members_and_private_setters_round_trip()
    {
        var profile = new Profile("Ada", 36, new Address { Street = "x" })
        {
            Tags = [new Tag("math"), new Tag("code") { Color = Color.Blue }],
            Since = new DateTimeOffset(1843, 1, 1, 0, 0, 0, TimeSpan.FromHours(1)),
        };
        AssertCompatible(profile);
        AssertCompatible(new Profile("", 0, null));
        var back = Profile.StateSchema.Deserialize(Profile.StateSchema.Serialize(profile));
        Assert.Equal("Ada", back.Name);
        Assert.Equal(36, back.Age);
        Assert.Equal("x", back.Home!.Street);
        Assert.Equal(["math", "code"], back.Tags.Select(t => t.Name));

        var strict = new StrictSettings { Name = "strict", Level = 3, Note = "custom" };
        strict.Hit();
        strict.Hit();
        AssertCompatible(strict);
        var strictBack = StrictSettings.StateSchema.Deserialize(StrictSettings.StateSchema.Serialize(strict));
        Assert.Equal(2, strictBack.Hits);
        Assert.Equal("custom", strictBack.Note);
        Assert.Equal(3, strictBack.Level);

        AssertCompatible(new CounterState { Count = -5, Last = "\0" });
        AssertCompatible(default(CounterState));
    }

    [Fact]
    public void Renamed_inherited_and_ignored_members_are_written_and_read_like_System_Text_Json()
    {
        var value = new Renamed
        {
            Size = 7,
            Quoted = "q",
            Emoji = true,
            Url = "https://example.org/?a=1&b=<2>",
            Snake = [1, 2],
            BaseName = "base",
            BaseCount = 3,
        };

        AssertCompatible(value);
        value.Ignored = "changed";

        var text = Encoding.UTF8.GetString(Renamed.StateSchema.Serialize(value));
        Assert.Equal(
            "{\"$version\":1,\"größe\":7,\"with \\\"quotes\\\" and \\\\ backslash\":\"q\",\"emoji😀\":true,\"URL\":\"https://example.org/?a=1&b=<2>\",\"snake_case_name\":[1,2],\"baseName\":\"base\",\"baseCount\":3}",
            text);
        var back = Renamed.StateSchema.Deserialize(Encoding.UTF8.GetBytes(text));
        Assert.Equal(7, back.Size);
        Assert.Equal("q", back.Quoted);
        Assert.True(back.Emoji);
        Assert.Equal("not stored", back.Ignored);
        Assert.Equal(3, back.BaseCount);
        Assert.Equal("base", back.BaseName);
    }

    [Fact]
    public void Members_declared_as_collection_interfaces_round_trip_and_match_System_Text_Json()
    {
        var value = new CollectionInterfaces
        {
            List = [3, 1, 2],
            Collection = ["c", "a"],
            Sequence = [long.MinValue, 0, long.MaxValue],
            ReadOnlyCollection = [new Tag("t") { Color = Color.Green }],
            Set = new HashSet<string> { "x", "y" },
            Dictionary = new Dictionary<string, Point> { ["p"] = new Point { X = 1, Y = 2 } },
            Nested = new Dictionary<string, IReadOnlyList<Mood>> { ["m"] = [Mood.Angry, (Mood)7], ["none"] = [] },
        };

        AssertCompatible(value);
        AssertCompatible(new CollectionInterfaces());

        var back = CollectionInterfaces.StateSchema.Deserialize(CollectionInterfaces.StateSchema.Serialize(value));
        Assert.Equal([3, 1, 2], back.List);
        Assert.IsType<HashSet<string>>(back.Set);
        Assert.Equal([Mood.Angry, (Mood)7], back.Nested["m"]);
        Assert.Null(back.Missing);
    }

    [Fact]
    public void A_read_only_set_round_trips_although_System_Text_Json_cannot_read_one()
    {
        var value = new ReadOnlySetHolder { Numbers = new HashSet<int> { 5, 6, int.MinValue } };
        var ours = ReadOnlySetHolder.StateSchema.Serialize(value);
        var theirs = JsonSerializer.SerializeToUtf8Bytes(value, Reflection);

        Assert.Equal(theirs, WithoutVersion(ours, 1));
        Assert.Equal([int.MinValue, 5, 6], ReadOnlySetHolder.StateSchema.Deserialize(ours).Numbers.Order());
        Assert.Equal([int.MinValue, 5, 6], ReadOnlySetHolder.StateSchema.Deserialize(theirs).Numbers.Order());
        Assert.Throws<NotSupportedException>(() => JsonSerializer.Deserialize<ReadOnlySetHolder>(ours, Reflection));
    }

    [Fact]
    public void Members_missing_from_a_document_keep_the_values_the_type_initializes()
    {
        var strict = StrictSettings.StateSchema.Deserialize("{\"name\":\"n\",\"level\":2}"u8);
        Assert.Equal("n", strict.Name);
        Assert.Equal(2, strict.Level);
        Assert.Equal("default note", strict.Note);

        // Unless the member is required: that document is corrupt, as System.Text.Json finds it.
        Assert.ThrowsAny<JsonException>(() => StrictSettings.StateSchema.Deserialize("{\"name\":\"n\"}"u8));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<StrictSettings>("{\"name\":\"n\"}", Reflection));

        var everything = Everything.StateSchema.Deserialize("{}"u8);
        Assert.Equivalent(new Everything(), everything, strict: true);
        Assert.NotNull(everything.Home);
        Assert.Equal("none", everything.Badge.Name);
        Assert.Equal("EUR", everything.Price.Currency);

        var profile = Profile.StateSchema.Deserialize("{\"age\":3}"u8);
        Assert.Null(profile.Name);
        Assert.Equal(3, profile.Age);
        Assert.Empty(profile.Tags);
    }

    [Fact]
    public void Unknown_properties_of_any_shape_are_skipped()
    {
        var document = """
            {"$version":1,"unknown":1,"i32":7,"nested":{"a":[1,{"b":null}],"c":"d"},"list":[[],[{}]],"text":"t",
             "home":{"street":"s","extra":{"deep":[1,2,3]},"zip":5},"flag":true,"strange \" name":"x","tags":[{"name":"a","more":[]}],
             "places":{"p":{"x":1,"z":99,"y":2}},"shipment":{"cost":{"amount":1,"currency":"c","rate":2},"whatever":false}}
            """u8;

        var value = Everything.StateSchema.Deserialize(document);

        Assert.Equal(7, value.I32);
        Assert.Equal("t", value.Text);
        Assert.True(value.Flag);
        Assert.Equal("s", value.Home.Street);
        Assert.Equal(5, value.Home.Zip);
        Assert.Equal("a", Assert.Single(value.Tags).Name);
        Assert.Equal(new Point { X = 1, Y = 2 }, value.Places["p"]);
        Assert.Equal(new Money(1, "c"), value.Shipment!.Cost);
    }

    [Fact]
    public void Property_names_match_ignoring_case()
    {
        var document = """
            {"I32":1,"TEXT":"upper","maybetext":"lower","HOME":{"STREET":"s","City":"c"},"Tags":[{"NAME":"n","COLOR":2}],
             "PlAcEs":{"Key Stays":{"X":3,"y":4}},"price":{"Amount":2,"CURRENCY":"EUR"},"Mood":"veryhappy","PERMISSIONS":"read, write"}
            """u8;

        var value = Everything.StateSchema.Deserialize(document);

        Assert.Equal(1, value.I32);
        Assert.Equal("upper", value.Text);
        Assert.Equal("lower", value.MaybeText);
        Assert.Equal("s", value.Home.Street);
        Assert.Equal("c", value.Home.City);
        Assert.Equal(new Tag("n") { Color = Color.Blue }, Assert.Single(value.Tags));
        Assert.Equal(new Point { X = 3, Y = 4 }, value.Places["Key Stays"]);
        Assert.Equal(new Money(2, "EUR"), value.Price);
        Assert.Equal(Mood.VeryHappy, value.Mood);
        Assert.Equal(Permissions.Read | Permissions.Write, value.Permissions);
    }

    [Fact]
    public void Every_property_matching_a_name_ignoring_case_is_read_in_turn_and_the_last_wins()
    {
        var value = Everything.StateSchema.Deserialize("{\"TEXT\":\"first\",\"text\":\"exact\",\"Text\":\"last\"}"u8);

        // Like System.Text.Json, every matching property is read in turn: the last one wins.
        Assert.Equal("last", value.Text);
        Assert.Equal("last", JsonSerializer.Deserialize<Everything>("{\"TEXT\":\"first\",\"text\":\"exact\",\"Text\":\"last\"}", Reflection)!.Text);
    }

    [Fact]
    public void Enums_and_numbers_are_read_from_every_form_System_Text_Json_writes()
    {
        // Numbers of named enums are accepted (as System.Text.Json accepts them), and names of numeric enums (more lenient).
        var value = Everything.StateSchema.Deserialize("{\"color\":\"Blue\",\"mood\":1,\"permissions\":3,\"maybeColor\":null,\"maybeMood\":\"calm\"}"u8);
        Assert.Equal(Color.Blue, value.Color);
        Assert.Equal(Mood.Angry, value.Mood);
        Assert.Equal(Permissions.Read | Permissions.Write, value.Permissions);
        Assert.Null(value.MaybeColor);
        Assert.Equal(Mood.Calm, value.MaybeMood);
    }

    [Fact]
    public void NaN_and_infinities_are_not_JSON_numbers_so_they_cannot_be_stored_as_with_System_Text_Json()
    {
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var value = new Everything { F64 = bad };
            Assert.Throws<ArgumentException>(() => Everything.StateSchema.Serialize(value));
            Assert.Throws<ArgumentException>(() => JsonSerializer.SerializeToUtf8Bytes(value, Reflection));
        }

        Assert.Throws<ArgumentException>(() => Everything.StateSchema.Serialize(new Everything { F32 = float.NaN }));
        Assert.Throws<ArgumentException>(() => Everything.StateSchema.Serialize(new Everything { Readings = [1, double.NaN] }));
        Assert.Throws<ArgumentException>(() => Everything.StateSchema.Serialize(new Everything { MaybeDouble = double.PositiveInfinity }));

        // Nor are they read, neither as strings nor as bare literals. System.Text.Json's web defaults read numbers from
        // strings, "NaN" and "Infinity" included, but never write them: what it writes is still read.
        foreach (var document in new[] { "{\"f64\":\"NaN\"}", "{\"f64\":\"Infinity\"}", "{\"maybeDouble\":\"-Infinity\"}", "{\"readings\":[\"NaN\"]}" })
        {
            Assert.ThrowsAny<JsonException>(() => Everything.StateSchema.Deserialize(Encoding.UTF8.GetBytes(document)));
            Assert.NotNull(JsonSerializer.Deserialize<Everything>(document, Reflection));
        }

        Assert.True(double.IsNaN(JsonSerializer.Deserialize<Everything>("{\"f64\":\"NaN\"}", Reflection)!.F64));
        Assert.ThrowsAny<JsonException>(() => Everything.StateSchema.Deserialize("{\"f64\":NaN}"u8));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Everything>("{\"f64\":NaN}", Reflection));
    }

    [Fact]
    public async Task NaN_saved_through_the_store_throws_StateException_naming_the_record_and_writes_nothing()
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var state = manager.ForAgent("g", "a");

        var ex = await Assert.ThrowsAsync<StateException>(() => Everything.SaveAsync(state, new Everything { F64 = double.NaN }).AsTask());

        Assert.IsType<ArgumentException>(ex.InnerException);
        Assert.Equal(StateOwner.Agent("g", "a"), ex.Owner);
        Assert.Equal("roundtrip/everything", ex.Key);
        Assert.Null(await driver.ReadAsync(StateOwner.Agent("g", "a"), "roundtrip/everything", default));
    }

    [Fact]
    public async Task A_value_saved_and_loaded_through_the_store_is_unchanged()
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var state = manager.ForAgent("g", "a");
        var value = RoundTripSamples.Typical();

        await Everything.SaveAsync(state, value);
        var loaded = await Everything.LoadAsync(state);

        Assert.True(loaded.Exists);
        Assert.Equal(Canonical(value), Canonical(loaded.Value));
        var raw = await driver.ReadAsync(StateOwner.Agent("g", "a"), "roundtrip/everything", default);
        Assert.Equal(Everything.StateSchema.Serialize(value), raw!.Value.Value.ToArray());

        // The plain store API with the schema's TypeInfo and System.Text.Json with it agree.
        var entry = await manager.GetAsync(StateOwner.Agent("g", "a"), "roundtrip/everything", Everything.StateSchema.TypeInfo);
        Assert.Equal(Canonical(value), Canonical(entry.Value));
        Assert.Equal(Everything.StateSchema.Serialize(value), JsonSerializer.SerializeToUtf8Bytes(value, Everything.StateSchema.TypeInfo));
    }
}
