using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TypedState.CompilerServices;
using TypedState.InMemory;

namespace TypedState.Tests.Schema;

/// <summary>A generated state type with text in a value, a list and dictionary keys.</summary>
[AgentState(Key = "utf8/diary")]
public partial class Diary
{
    public string Entry { get; set; } = "";

    public List<string> Tags { get; set; } = [];

    public Dictionary<string, int> Reactions { get; set; } = [];
}

/// <summary>
/// Text outside the Basic Multilingual Plane (emoji) is stored as its four UTF-8 bytes, not as a twelve-byte
/// <c>\uD83D\uDE00</c> escape, on the default serializer options (reflection) and in generated serializers alike, so
/// <see cref="StateManagerOptions.MaxValueBytes"/> admits the text a user expects; what JSON requires is still escaped.
/// </summary>
public sealed class Utf8TextTests
{
    private static readonly StateOwner s_owner = StateOwner.Agent("g", "a");

    /// <summary>100 emoji (400 bytes of UTF-8) among ASCII and other non-ASCII text.</summary>
    private static readonly string s_emojiText = string.Concat(Enumerable.Range(0, 50).Select(i => $"día {i}: 😀🎉 "));

    /// <summary>The encoder of the store's default serializer options (the reflection path).</summary>
    private static readonly JavaScriptEncoder s_reflectionEncoder = new StateManagerOptions().SerializerOptions.Encoder!;

    /// <summary>The encoder generated serializers write with.</summary>
    private static readonly JavaScriptEncoder s_generatedEncoder = SchemaOf<Diary>().TypeInfo.Options.Encoder!;

    /// <summary>Options with each of the two encoders, to serialize plain strings.</summary>
    private static readonly JsonSerializerOptions[] s_bothEncoders =
    [
        new() { Encoder = s_reflectionEncoder },
        new() { Encoder = s_generatedEncoder },
    ];

    private static StateSchema<T> SchemaOf<T>()
        where T : IStateType<T> => T.Schema;

    private static async Task<string> StoredTextAsync(InMemoryStateDriver driver, string key)
    {
        var record = await driver.ReadAsync(s_owner, key, default);
        Assert.NotNull(record);
        return Encoding.UTF8.GetString(record.Value.Value.Span);
    }

    [Fact]
    public async Task The_default_options_store_each_emoji_as_its_four_UTF8_bytes_and_read_it_back()
    {
        var driver = new InMemoryStateDriver();
        await using var state = new StateManager(driver);
        var reactions = new Dictionary<string, string> { ["👍"] = "🙂 ok" };

        await state.SetAsync(s_owner, "note", s_emojiText);
        await state.SetAsync(s_owner, "reactions", reactions);

        var stored = await StoredTextAsync(driver, "note");
        Assert.Equal("\"" + s_emojiText + "\"", stored);
        Assert.Equal(Encoding.UTF8.GetByteCount(s_emojiText) + 2, Encoding.UTF8.GetByteCount(stored));
        Assert.Equal("{\"👍\":\"🙂 ok\"}", await StoredTextAsync(driver, "reactions"));
        Assert.Equal(s_emojiText, (await state.GetAsync<string>(s_owner, "note")).Value);
        Assert.Equal(reactions, (await state.GetAsync<Dictionary<string, string>>(s_owner, "reactions")).Value);
    }

    [Fact]
    public async Task MaxValueBytes_admits_emoji_text_at_four_bytes_per_emoji_on_the_default_options()
    {
        var driver = new InMemoryStateDriver();
        await using var state = new StateManager(driver, new StateManagerOptions { MaxValueBytes = 402 });
        var hundred = string.Concat(Enumerable.Repeat("😀", 100));

        Assert.Equal(1, await state.SetAsync(s_owner, "k", hundred));
        var ex = await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetAsync(s_owner, "k", hundred + "😀").AsTask());

        Assert.Equal(406, ex.Size);
        Assert.Equal(hundred, (await state.GetAsync<string>(s_owner, "k")).Value);
    }

    [Fact]
    public async Task A_generated_state_type_stores_emoji_as_UTF8_in_values_list_items_and_dictionary_keys()
    {
        var driver = new InMemoryStateDriver();
        await using var state = new StateManager(driver);
        var scoped = state.ForAgent("g", "a");
        var diary = await Diary.LoadAsync(scoped);
        diary.Value.Entry = "dear 😀";
        diary.Value.Tags.Add("🎉");
        diary.Value.Reactions["👍"] = 2;

        await diary.SaveAsync();

        Assert.Equal("{\"$version\":1,\"entry\":\"dear 😀\",\"tags\":[\"🎉\"],\"reactions\":{\"👍\":2}}", await StoredTextAsync(driver, "utf8/diary"));
        var again = await Diary.LoadAsync(scoped);
        Assert.Equal("dear 😀", again.Value.Entry);
        Assert.Equal(["🎉"], again.Value.Tags);
        Assert.Equal(2, again.Value.Reactions["👍"]);
    }

    [Fact]
    public async Task MaxValueBytes_admits_emoji_text_at_four_bytes_per_emoji_in_a_generated_state_type()
    {
        var driver = new InMemoryStateDriver();
        var empty = "{\"$version\":1,\"entry\":\"\",\"tags\":[],\"reactions\":{}}";
        var limit = Encoding.UTF8.GetByteCount(empty) + 400;
        await using var state = new StateManager(driver, new StateManagerOptions { MaxValueBytes = limit });
        var scoped = state.ForAgent("g", "a");
        var hundred = string.Concat(Enumerable.Repeat("😀", 100));

        var fits = await Diary.UpdateAsync(scoped, d => d.Entry = hundred);
        var ex = await Assert.ThrowsAsync<StateValueTooLargeException>(() => Diary.UpdateAsync(scoped, d => d.Entry = hundred + "😀").AsTask());

        Assert.Equal(1, fits.Version);
        Assert.Equal(limit + 4, ex.Size);
        Assert.Equal(limit, Encoding.UTF8.GetByteCount(await StoredTextAsync(driver, "utf8/diary")));
    }

    /// <summary>Text and the JSON string the store writes for it.</summary>
    public static TheoryData<string, string> Escapes => new()
    {
        { "plain ascii", "\"plain ascii\"" },
        { "quote \" backslash \\ slash /", "\"quote \\\" backslash \\\\ slash /\"" },
        { "line\nfeed\ttab\r\0\u0001\u001f\u007f", "\"line\\nfeed\\ttab\\r\\u0000\\u0001\\u001F\\u007F\"" },
        { "<b>&'+`", "\"<b>&'+`\"" },
        { "zwj\u200D vs16\uFE0F ❤️ 👨‍👩‍👧", "\"zwj\u200D vs16\uFE0F ❤️ 👨‍👩‍👧\"" },
        { "bom\uFEFF nbsp\u00A0 private\uE000", "\"bom\\uFEFF nbsp\\u00A0 private\\uE000\"" },
        { "é ü ß 中文 \uFFFD", "\"é ü ß 中文 \uFFFD\"" },
        { "separators \u2028 \u2029", "\"separators \\u2028 \\u2029\"" },
        { "😀", "\"😀\"" },
        { "a😀\n\"🎉\"\\b", "\"a😀\\n\\\"🎉\\\"\\\\b\"" },
        { "𝄞 music, 𠀀 CJK B, \U0010FFFD last plane", "\"𝄞 music, 𠀀 CJK B, \U0010FFFD last plane\"" },
        { "lone high \uD83D here", "\"lone high \\uFFFD here\"" },
        { "lone low \uDE00 here", "\"lone low \\uFFFD here\"" },
        { "reversed \uDE00\uD83D pair", "\"reversed \\uFFFD\\uFFFD pair\"" },
        { "two highs \uD83D\uD83D\uDE00", "\"two highs \\uFFFD😀\"" },
        { "ends high \uD83D", "\"ends high \\uFFFD\"" },
        { "\uD83D", "\"\\uFFFD\"" },
    };

    // Not enumerated at discovery: the test runner would pass the lone surrogates through UTF-8, as U+FFFD.
    [Theory]
    [MemberData(nameof(Escapes), DisableDiscoveryEnumeration = true)]
    public void The_store_escapes_what_JSON_requires_and_lone_surrogates_and_keeps_emoji_as_UTF8(string text, string json)
    {
        foreach (var options in s_bothEncoders)
        {
            var encoder = options.Encoder!;
            Assert.Equal(json, Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(text, options)));

            // As UTF-8 a lone surrogate is already U+FFFD (Encoding.UTF8 replaced it), which is written as itself.
            Assert.Equal(json.Replace("\\uFFFD", "\uFFFD", StringComparison.Ordinal), Encoding.UTF8.GetString(WriteUtf8(Encoding.UTF8.GetBytes(text), encoder)));

            // Lone surrogates become U+FFFD, as with System.Text.Json's own encoders; everything else reads back as written.
            var expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
            Assert.Equal(expected, JsonSerializer.Deserialize<string>(json));
        }
    }

    [Fact]
    public void Text_long_enough_for_vectorized_search_is_escaped_at_every_position()
    {
        // Long runs put the characters to escape and the emoji at every offset of a vector, in both UTF-16 and UTF-8.
        var builder = new StringBuilder();
        var expected = new StringBuilder("\"");
        for (var i = 0; i < 200; i++)
        {
            builder.Append(new string('x', i % 37)).Append(i % 3 == 0 ? "😀" : i % 3 == 1 ? "\n" : "\uD83D");
            expected.Append(new string('x', i % 37)).Append(i % 3 == 0 ? "😀" : i % 3 == 1 ? "\\n" : "\\uFFFD");
        }

        expected.Append('"');
        var text = builder.ToString();
        foreach (var options in s_bothEncoders)
        {
            Assert.Equal(expected.ToString(), JsonSerializer.Serialize(text, options));

            // As UTF-8 a lone surrogate is already U+FFFD (Encoding.UTF8 replaced it), which is written as itself.
            var utf8Expected = expected.ToString().Replace("\\uFFFD", "\uFFFD", StringComparison.Ordinal);
            Assert.Equal(utf8Expected, Encoding.UTF8.GetString(WriteUtf8(Encoding.UTF8.GetBytes(text), options.Encoder!)));
        }
    }

    [Fact]
    public void Invalid_UTF8_is_escaped_as_the_replacement_character_as_System_Text_Json_does()
    {
        byte[][] inputs =
        [
            [0x61, 0xF0, 0x9F], // a truncated emoji at the end
            [0x61, 0xF0, 0x9F, 0x62], // a truncated emoji inside
            [0x61, 0xED, 0xA0, 0x80, 0x62], // a UTF-8-encoded surrogate
            [0x61, 0xFF, 0x62, 0xF0, 0x9F, 0x98, 0x80], // an invalid byte, then an emoji
            [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
        ];

        foreach (var input in inputs)
        {
            var relaxed = Encoding.UTF8.GetString(WriteUtf8(input, JavaScriptEncoder.UnsafeRelaxedJsonEscaping));
            var expected = relaxed.Replace("\\uD83D\\uDE00", "😀", StringComparison.Ordinal);
            Assert.Equal(expected, Encoding.UTF8.GetString(WriteUtf8(input, s_reflectionEncoder)));
            Assert.Equal(expected, Encoding.UTF8.GetString(WriteUtf8(input, s_generatedEncoder)));
        }
    }

    [Fact]
    public void Property_names_of_generated_types_keep_emoji_as_UTF8()
    {
        Assert.Equal("n😀", StateJson.EncodeName("n😀").ToString());
        Assert.Equal("q\\\"\\n", StateJson.EncodeName("q\"\n").ToString());
    }

    [Fact]
    public void The_encoder_keeps_the_TextEncoder_contract_for_small_destinations_and_partial_input()
    {
        var encoder = StateJsonEncoder.Instance;
        const string text = "a😀\n\"🎉\uD83Dz😀";
        const string expected = "a😀\\n\\\"🎉\\uFFFDz😀";
        Assert.Equal(expected, encoder.Encode(text));
        using var textWriter = new StringWriter(CultureInfo.InvariantCulture);
        encoder.Encode(textWriter, text);
        Assert.Equal(expected, textWriter.ToString());

        // Destinations of every size from 1 up: each call makes progress or asks for more room, and the pieces add up.
        for (var size = 1; size <= 16; size++)
        {
            var utf16 = new StringBuilder();
            var source = text.AsSpan();
            var destination = new char[size];
            while (!source.IsEmpty)
            {
                var status = encoder.Encode(source, destination, out var consumed, out var written);
                Assert.True(status is OperationStatus.Done or OperationStatus.DestinationTooSmall, $"size {size}: {status}");
                Assert.True(consumed > 0 || status == OperationStatus.DestinationTooSmall);
                utf16.Append(destination, 0, written);
                source = source[consumed..];
                if (consumed == 0)
                {
                    destination = new char[destination.Length * 2];
                }
            }

            Assert.Equal(expected, utf16.ToString());

            var utf8 = new List<byte>();
            var bytes = Encoding.UTF8.GetBytes("a😀\n\"🎉z😀").AsSpan();
            var byteDestination = new byte[size];
            while (!bytes.IsEmpty)
            {
                var status = encoder.EncodeUtf8(bytes, byteDestination, out var consumed, out var written);
                Assert.True(status is OperationStatus.Done or OperationStatus.DestinationTooSmall, $"size {size}: {status}");
                utf8.AddRange(byteDestination.AsSpan(0, written).ToArray());
                bytes = bytes[consumed..];
                if (consumed == 0)
                {
                    byteDestination = new byte[byteDestination.Length * 2];
                }
            }

            Assert.Equal("a😀\\n\\\"🎉z😀", Encoding.UTF8.GetString([.. utf8]));
        }

        // Input split inside an emoji: the first part waits for the rest instead of escaping half of it.
        var buffer = new char[32];
        Assert.Equal(OperationStatus.NeedMoreData, encoder.Encode("ab\uD83D", buffer, out var charsConsumed, out var charsWritten, isFinalBlock: false));
        Assert.Equal((2, 2), (charsConsumed, charsWritten));
        var utf8Buffer = new byte[32];
        Assert.Equal(OperationStatus.NeedMoreData, encoder.EncodeUtf8([0x61, 0xF0, 0x9F, 0x98], utf8Buffer, out var bytesConsumed, out var bytesWritten, isFinalBlock: false));
        Assert.Equal((1, 1), (bytesConsumed, bytesWritten));

        Assert.False(encoder.WillEncode(0x1F600));
        Assert.True(encoder.WillEncode('"'));
        Assert.True(encoder.WillEncode(0xD800));
        Assert.False(encoder.WillEncode('é'));
    }

    private static byte[] WriteUtf8(byte[] utf8, JavaScriptEncoder encoder)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder }))
        {
            writer.WriteStringValue(utf8);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
