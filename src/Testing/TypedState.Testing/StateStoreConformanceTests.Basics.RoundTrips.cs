using System.Text;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task Int_values_round_trip()
    {
        var state = await CreateManagerAsync();
        foreach (var value in new[] { 0, 1, -1, int.MaxValue, int.MinValue })
        {
            await state.SetAsync(Agent1, "n", value);
            Assert.Equal(value, (await state.GetAsync<int>(Agent1, "n")).Value);
        }
    }

    [Fact]
    public async Task Scalar_values_of_several_types_round_trip()
    {
        var state = await CreateManagerAsync();
        var when = new DateTimeOffset(2024, 2, 29, 23, 59, 58, 123, TimeSpan.FromHours(-7));
        var id = Guid.Parse("5f1b0a7e-3c1d-4a44-9d1e-0c2f3a4b5c6d");

        await state.SetAsync(Agent1, "long", long.MaxValue);
        await state.SetAsync(Agent1, "double", 0.1 + 0.2);
        await state.SetAsync(Agent1, "decimal", 79228162514264337593543950335m);
        await state.SetAsync(Agent1, "bool", true);
        await state.SetAsync(Agent1, "when", when);
        await state.SetAsync(Agent1, "guid", id);
        await state.SetAsync(Agent1, "bytes", new byte[] { 0, 1, 2, 254, 255 });

        Assert.Equal(long.MaxValue, (await state.GetAsync<long>(Agent1, "long")).Value);
        Assert.Equal(0.1 + 0.2, (await state.GetAsync<double>(Agent1, "double")).Value);
        Assert.Equal(79228162514264337593543950335m, (await state.GetAsync<decimal>(Agent1, "decimal")).Value);
        Assert.True((await state.GetAsync<bool>(Agent1, "bool")).Value);
        var readWhen = (await state.GetAsync<DateTimeOffset>(Agent1, "when")).Value;
        Assert.Equal(when, readWhen);
        Assert.Equal(when.Offset, readWhen.Offset);
        Assert.Equal(id, (await state.GetAsync<Guid>(Agent1, "guid")).Value);
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, (await state.GetAsync<byte[]>(Agent1, "bytes")).Value);
    }

    [Fact]
    public async Task Floating_point_values_keep_their_exact_value_and_the_sign_of_zero()
    {
        var state = await CreateManagerAsync();
        double[] values = [-0.0, 0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-7, 1e21, 0.1 + 0.2];

        foreach (var value in values)
        {
            await state.SetAsync(Agent1, "d", value);
            var read = (await state.GetAsync<double>(Agent1, "d")).Value;
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(read));
        }
    }

    [Fact]
    public async Task Polymorphic_values_round_trip_whatever_order_a_driver_returns_their_properties_in()
    {
        var state = await CreateManagerAsync();
        Shape[] shapes = [new Circle("c", 1.5), new Square("s", 2), new Circle("", 0)];

        await state.SetAsync<Shape>(Agent1, "one", new Square("a square", 3));
        await state.SetAsync(Agent1, "many", shapes.ToList());

        Assert.Equal(new Square("a square", 3), (await state.GetAsync<Shape>(Agent1, "one")).Value);
        Assert.Equal(shapes, (await state.GetAsync<List<Shape>>(Agent1, "many")).Value);
        var listed = await ListAllAsync<Shape>(state, Agent1, "one");
        Assert.Equal(new Square("a square", 3), Assert.Single(listed).Value);
    }

    /// <summary>
    /// Valid JSON documents that a driver re-rendering JSON (PostgreSQL's jsonb) could alter: each must come back as
    /// the same document (<see cref="StoredDocuments.AssertSame"/>), whatever the driver does with whitespace and order.
    /// </summary>
    public static TheoryData<string, string> JsonDocuments => new()
    {
        { "whitespace and property order", "{ \"zeta\" : 1 ,\n\t\"alpha\":[3, 1 ,2], \"m\": {\"y\":true,\"x\":null} }" },
        { "escapes", "[\"\\u00e9\\n\\/\\\"\", \"\\ud83d\\ude00\", \"\\u001f\"]" },
        { "numbers", "[1.50, 1e2, 1E-2, 12345678901234567890123456789.000, 1e400, 2.5e-400, -7]" },
        { "negative zeros", "[-0, -0.0, -0e5, 0.0]" },
        { "a NUL escape in a string", "{\"text\":\"a\\u0000b\"}" },
        { "a NUL escape in a property name", "{\"a\\u0000\":1}" },
        { "an unpaired surrogate escape", "[\"\\ud800x\", \"\\udc00\"]" },
        { "a repeated property name", "{\"a\":1,\"b\":0,\"a\":2}" },
        { "a repeated property name, once escaped", "{\"a\":1,\"\\u0061\":2}" },
        { "a repeated property name in a large nested object", "{\"outer\":1,\"inner\":{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"k{i}\":{i}")) + ",\"k7\":-1}}" },
        { "numbers beyond PostgreSQL's numeric", "[1e200000, -1e-200000]" },
        { "nesting deeper than 64", new string('[', 100) + new string(']', 100) },
        { "a top-level null", "null" },
        { "a top-level string with whitespace around it", "  \"x\"  " },
    };

    [Theory]
    [MemberData(nameof(JsonDocuments))]
    public async Task A_JSON_document_written_through_the_driver_comes_back_as_the_same_document(string what, string document)
    {
        var state = await CreateManagerAsync();
        var bytes = Encoding.UTF8.GetBytes(document);

        var version = await WriteRawAsync(state.Driver, Guild1, "doc", bytes);

        Assert.True(version == 1, what);
        var record = await state.GetRecordAsync(Guild1, "doc");
        Assert.Equal(1, record!.Value.Version);
        StoredDocuments.AssertSame(bytes, record.Value.Value);
        await foreach (var listed in state.Driver.ListAsync(Guild1, "d", CancellationToken.None))
        {
            StoredDocuments.AssertSame(bytes, listed.Value);
        }
    }

    [Fact]
    public async Task String_values_round_trip_exactly()
    {
        var state = await CreateManagerAsync();
        string[] values =
        [
            string.Empty,
            " leading and trailing ",
            "quotes \" ' ` and backslash \\ and slash /",
            "control \u0000 \n \r \t \u0007 \u001F",
            "unicode é e\u0301 日本 🙂 \uFFFD \U0010FFFF",
            "sql '); DROP TABLE state; --",
            "{\"looks\":\"like json\"}",
        ];

        foreach (var value in values)
        {
            await state.SetAsync(Guild1, "text", value);
            Assert.Equal(value, (await state.GetAsync<string>(Guild1, "text")).Value);
        }
    }

    [Fact]
    public async Task A_record_with_nested_list_and_dictionary_round_trips()
    {
        var state = await CreateManagerAsync();
        var profile = TestValues.SampleProfile();

        await state.SetAsync(Agent1, "profile", profile);
        var entry = await state.GetAsync<Profile>(Agent1, "profile");

        Assert.True(entry.Exists);
        TestValues.AssertSameProfile(profile, entry.Value);
    }

    [Fact]
    public async Task Collections_round_trip()
    {
        var state = await CreateManagerAsync();
        var nested = new Dictionary<string, List<int>> { ["a"] = [1, 2, 3], ["b"] = [], ["ü"] = [-5] };

        await state.SetAsync(StateOwner.Global, "nested", nested);
        await state.SetAsync(StateOwner.Global, "list", new List<string?> { "x", null, "" });
        var read = (await state.GetAsync<Dictionary<string, List<int>>>(StateOwner.Global, "nested")).Value;
        var list = (await state.GetAsync<List<string?>>(StateOwner.Global, "list")).Value;

        Assert.NotNull(read);
        Assert.Equal(nested.Keys.Order(StringComparer.Ordinal), read.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, items) in nested)
        {
            Assert.Equal(items, read[key]);
        }

        Assert.Equal(["x", null, ""], list);
    }

    [Fact]
    public async Task A_null_reference_value_is_stored_as_an_existing_record_whose_value_is_null()
    {
        var state = await CreateManagerAsync();

        var version = await state.SetAsync<string?>(Agent1, "nothing", null);
        var profileVersion = await state.SetAsync<Profile?>(Agent1, "no-profile", null);
        var entry = await state.GetAsync<string?>(Agent1, "nothing");
        var profile = await state.GetAsync<Profile?>(Agent1, "no-profile");

        Assert.Equal(1, version);
        Assert.Equal(1, profileVersion);
        Assert.True(entry.Exists);
        Assert.Null(entry.Value);
        Assert.Equal(1, entry.Version);
        Assert.True(profile.Exists);
        Assert.Null(profile.Value);
    }

    [Fact]
    public async Task A_large_value_of_200_kilobytes_round_trips()
    {
        var state = await CreateManagerAsync();
        var big = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i:D9}|"));

        await state.SetAsync(Agent1, "big", big);

        Assert.Equal(big, (await state.GetAsync<string>(Agent1, "big")).Value);
        var listed = Assert.Single(await ListAllAsync<string>(state, Agent1, "b"));
        Assert.Equal(big, listed.Value);
    }

    [Fact]
    public async Task The_JsonTypeInfo_overloads_store_read_and_list()
    {
        var state = await CreateManagerAsync();
        var profile = TestValues.SampleProfile();

        var v1 = await state.SetAsync(Agent1, "p:1", profile, TestJsonContext.Default.Profile);
        var v2 = await state.SetAsync(Agent1, "p:1", profile with { Age = 37 }, TestJsonContext.Default.Profile, expectedVersion: 1);
        await state.SetAsync(Agent1, "p:2", new Counter(5), TestJsonContext.Default.Counter);
        var entry = await state.GetAsync(Agent1, "p:1", TestJsonContext.Default.Profile);
        var listed = new List<StateEntry<Counter>>();
        await foreach (var e in state.ListAsync(Agent1, "p:2", TestJsonContext.Default.Counter))
        {
            listed.Add(e);
        }

        Assert.Equal(1, v1);
        Assert.Equal(2, v2);
        Assert.Equal(2, entry.Version);
        TestValues.AssertSameProfile(profile with { Age = 37 }, entry.Value);
        Assert.Equal(new Counter(5), Assert.Single(listed).Value);
    }

    [Fact]
    public async Task Values_written_with_reflection_read_back_through_JsonTypeInfo_and_the_other_way_round()
    {
        var state = await CreateManagerAsync();
        var profile = TestValues.SampleProfile();

        await state.SetAsync(Agent1, "by-reflection", profile);
        await state.SetAsync(Agent1, "by-context", profile, TestJsonContext.Default.Profile);

        TestValues.AssertSameProfile(profile, (await state.GetAsync(Agent1, "by-reflection", TestJsonContext.Default.Profile)).Value);
        TestValues.AssertSameProfile(profile, (await state.GetAsync<Profile>(Agent1, "by-context")).Value);
    }
}
