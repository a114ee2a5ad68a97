using System.Text;
using System.Text.Json;
using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.Tests.Schema;

/// <summary>Stored documents a generated serializer cannot read: the store reports them as corrupt records.</summary>
public sealed class CorruptDocumentTests
{
    private const string Key = "roundtrip/everything";

    private static readonly StateOwner s_owner = StateOwner.Agent("guild-c", "agent-c");

    // Bytes that are not one JSON value: a CorruptStateException.
    private static readonly string[] s_malformedDocuments =
    [
        "",
        " ",

        // Not JSON, truncated, or followed by more.
        "{i32:1}",
        "{'text':'x'}",
        "{\"i32\":1,}",
        "{",
        "{\"text\":\"abc",
        "{\"i32\":1",
        "{\"names\":[1,2",
        "{\"home\":{\"street\":\"s\"}",
        "{\"i32\":1}x",
        "{\"i32\":1}{}",
    ];

    // Well-formed JSON the type cannot read: a StateTypeMismatchException.
    private static readonly string[] s_mismatchedDocuments =
    [
        // Not an object.
        "[]",
        "[{\"i32\":1}]",
        "\"text\"",
        "42",
        "true",

        // Wrong token types and out-of-range numbers.
        "{\"i32\":\"12\"}",
        "{\"i32\":1.5}",
        "{\"i32\":null}",
        "{\"i32\":2147483648}",
        "{\"u8\":256}",
        "{\"u8\":-1}",
        "{\"i8\":-129}",
        "{\"u16\":65536}",
        "{\"u64\":-1}",
        "{\"f32\":\"1\"}",
        "{\"cash\":true}",
        "{\"text\":12}",
        "{\"text\":{}}",
        "{\"text\":[]}",
        "{\"flag\":\"true\"}",
        "{\"flag\":1}",
        "{\"maybeInt\":\"\"}",
        "{\"names\":{}}",
        "{\"names\":\"a\"}",
        "{\"names\":[1]}",
        "{\"numbers\":[\"1\"]}",
        "{\"sparse\":[1,\"x\"]}",
        "{\"labels\":{\"a\":1}}",
        "{\"scores\":[1]}",
        "{\"scores\":{\"a\":\"x\"}}",
        "{\"groups\":{\"a\":{}}}",
        "{\"home\":[]}",
        "{\"home\":\"x\"}",
        "{\"home\":{\"zip\":\"1\"}}",
        "{\"origin\":1}",
        "{\"origin\":null,\"maybeOrigin\":[]}",
        "{\"tags\":[1]}",
        "{\"places\":{\"p\":[]}}",
        "{\"letter\":\"ab\"}",
        "{\"letter\":\"\"}",
        "{\"letter\":65}",
        "{\"span\":\"1 day\"}",
        "{\"span\":1}",
        "{\"id\":\"not-a-guid\"}",
        "{\"utcTime\":\"yesterday\"}",
        "{\"utcTime\":0}",
        "{\"offset\":5}",
        "{\"bytes\":\"!!\"}",
        "{\"bytes\":[1,2]}",
        "{\"mood\":\"Unknown\"}",
        "{\"mood\":\"\"}",
        "{\"mood\":true}",
        "{\"permissions\":\"Read, Fly\"}",
        "{\"color\":\"Purple\"}",
        "{\"color\":1.5}",
        "{\"tiny\":256}",
        "{\"price\":[]}",
        "{\"price\":{\"amount\":\"x\"}}",
        "{\"priceHistory\":[1]}",

        // A $version that is not a positive integer.
        "{\"$version\":\"1\"}",
        "{\"$version\":0}",
        "{\"$version\":-1}",
        "{\"$version\":1.5}",
        "{\"$version\":null}",
        "{\"$version\":{}}",
    ];

    private static readonly string[] s_corruptDocuments = [.. s_malformedDocuments, .. s_mismatchedDocuments];

    public static TheoryData<string> MalformedDocuments => [.. s_malformedDocuments];

    public static TheoryData<string> MismatchedDocuments => [.. s_mismatchedDocuments];

    [Theory]
    [MemberData(nameof(MalformedDocuments))]
    public async Task A_document_that_is_not_JSON_is_a_CorruptStateException_naming_owner_and_key(string document)
    {
        await AssertCorruptAsync(Encoding.UTF8.GetBytes(document));
    }

    [Theory]
    [MemberData(nameof(MismatchedDocuments))]
    public async Task JSON_the_type_cannot_read_is_a_StateTypeMismatchException_naming_owner_and_key(string document)
    {
        await AssertUnreadableAsync<StateTypeMismatchException>(Encoding.UTF8.GetBytes(document));
    }

    [Theory]
    [InlineData("[]", "$")]
    [InlineData("{\"i32\":\"12\"}", "$.i32")]
    [InlineData("{\"home\":{\"zip\":\"1\"}}", "$.home.zip")]
    [InlineData("{\"names\":[1]}", "$.names[0]")]
    [InlineData("{\"sparse\":[1,\"x\"]}", "$.sparse[1]")]
    [InlineData("{\"u8\":256}", "$.u8")]
    public async Task The_generated_reader_names_the_path_of_the_value_that_does_not_fit(string document, string path)
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        await WriteRawAsync(driver, Encoding.UTF8.GetBytes(document));

        var ex = await Assert.ThrowsAsync<StateTypeMismatchException>(() => manager.GetAsync(s_owner, Key, Everything.StateSchema.TypeInfo).AsTask());

        Assert.Equal(path, ex.JsonPath);
        Assert.Contains($"at {path}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_UTF8_is_a_CorruptStateException()
    {
        await AssertCorruptAsync([.. "{\"text\":\""u8, 0xFF, 0xFE, .. "\"}"u8]);
        await AssertCorruptAsync([.. "{\"te"u8, 0xC3, .. "xt\":1}"u8]);
    }

    [Fact]
    public void Every_corrupt_document_is_rejected_by_System_Text_Json_too()
    {
        // The generated reader is not more lenient than System.Text.Json: apart from the documents listed below,
        // System.Text.Json (web defaults, reflection) rejects each of them too.
        foreach (var document in s_corruptDocuments)
        {
            if (s_lenientInSystemTextJson.Contains(document))
            {
                continue;
            }

            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Everything>(document, RoundTripTests.Reflection));
        }
    }

    // System.Text.Json with web defaults reads numbers from strings, and does not check $version (an unknown property to it).
    private static readonly HashSet<string> s_lenientInSystemTextJson =
    [
        "{\"i32\":\"12\"}",
        "{\"f32\":\"1\"}",
        "{\"numbers\":[\"1\"]}",
        "{\"home\":{\"zip\":\"1\"}}",
        "{\"$version\":\"1\"}",
        "{\"$version\":0}",
        "{\"$version\":-1}",
        "{\"$version\":1.5}",
        "{\"$version\":null}",
        "{\"$version\":{}}",
    ];

    [Fact]
    public void Numbers_in_strings_are_not_read_although_System_Text_Json_web_defaults_read_them()
    {
        // System.Text.Json never writes numbers as strings with these options, so what it writes is still read.
        Assert.Equal(12, JsonSerializer.Deserialize<Everything>("{\"i32\":\"12\"}", RoundTripTests.Reflection)!.I32);
        Assert.ThrowsAny<JsonException>(() => Everything.StateSchema.Deserialize("{\"i32\":\"12\"}"u8));
    }

    [Fact]
    public async Task A_stored_JSON_null_reads_as_an_existing_record_without_a_value_and_loads_as_a_default_instance()
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var version = await WriteRawAsync(driver, "null"u8.ToArray());

        var entry = await manager.GetAsync(s_owner, Key, Everything.StateSchema.TypeInfo);
        Assert.True(entry.Exists);
        Assert.Null(entry.Value);
        Assert.Equal(version, entry.Version);

        var loaded = await Everything.LoadAsync(manager.ForAgent(s_owner.GuildId!, s_owner.AgentId!));
        Assert.Equal(version, loaded.Version);
        Assert.Equal(RoundTripTests.Canonical(new Everything()), RoundTripTests.Canonical(loaded.Value));

        // A struct state type has no null: the same document does not fit it.
        await WriteRawAsync(driver, "null"u8.ToArray(), "roundtrip/counter");
        var ex = await Assert.ThrowsAsync<StateTypeMismatchException>(() => manager.GetAsync(s_owner, "roundtrip/counter", CounterState.StateSchema.TypeInfo).AsTask());
        Assert.Equal(typeof(CounterState), ex.TargetType);
    }

    private static Task AssertCorruptAsync(byte[] document) => AssertUnreadableAsync<CorruptStateException>(document);

    private static async Task AssertUnreadableAsync<TError>(byte[] document)
        where TError : StateException
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var version = await WriteRawAsync(driver, document);

        AssertUnreadable(await Assert.ThrowsAsync<TError>(() => manager.GetAsync(s_owner, Key, Everything.StateSchema.TypeInfo).AsTask()), version);

        // The typed accessor, a listing and a transaction report it the same way.
        AssertUnreadable(await Assert.ThrowsAsync<TError>(() => Everything.LoadAsync(manager.ForAgent(s_owner.GuildId!, s_owner.AgentId!)).AsTask()), version);
        await foreach (var listed in manager.ListAsync(s_owner, "roundtrip/", Everything.StateSchema.TypeInfo))
        {
            Assert.True(listed.Exists);
            AssertUnreadable(Assert.IsType<TError>(listed.Error), version);
        }

        await using (var tx = await manager.BeginTransactionAsync())
        {
            AssertUnreadable(await Assert.ThrowsAsync<TError>(() => tx.GetAsync(s_owner, Key, Everything.StateSchema.TypeInfo).AsTask()), version);
        }

        // The record is left as it was.
        var raw = await driver.ReadAsync(s_owner, Key, default);
        Assert.Equal(document, raw!.Value.Value.ToArray());
        Assert.Equal(version, raw.Value.Version);
    }

    private static void AssertUnreadable(StateException ex, long version)
    {
        var (stored, type) = ex switch
        {
            CorruptStateException corrupt => (corrupt.Version, corrupt.TargetType),
            StateTypeMismatchException mismatch => (mismatch.Version, mismatch.TargetType),
            _ => throw new InvalidOperationException($"Unexpected {ex.GetType().Name}."),
        };
        Assert.Equal(s_owner, ex.Owner);
        Assert.Equal(Scope.Agent, ex.Scope);
        Assert.Equal(Key, ex.Key);
        Assert.Equal(version, stored);
        Assert.Equal(typeof(Everything), type);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
        Assert.Contains("guild 'guild-c'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("agent 'agent-c'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"key '{Key}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Everything), ex.Message, StringComparison.Ordinal);
    }

    private static async Task<long> WriteRawAsync(InMemoryStateDriver driver, byte[] document, string key = Key)
    {
        var result = await driver.CommitAsync([new StateWrite(s_owner, key, StateWriteKind.Set, document, null)], [], CommitId.None, CancellationToken.None);
        Assert.True(result.Succeeded);
        return result.Versions[0];
    }
}
