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

    private static readonly string[] s_corruptDocuments =
    [
        // Not an object.
        "",
        " ",
        "[]",
        "[{\"i32\":1}]",
        "\"text\"",
        "42",
        "true",

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

    public static TheoryData<string> CorruptDocuments => [.. s_corruptDocuments];

    [Theory]
    [MemberData(nameof(CorruptDocuments))]
    public async Task A_document_the_type_cannot_read_is_a_CorruptStateException_naming_owner_and_key(string document)
    {
        await AssertCorruptAsync(Encoding.UTF8.GetBytes(document));
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

        // A struct state type has no null: the same document is corrupt.
        await WriteRawAsync(driver, "null"u8.ToArray(), "roundtrip/counter");
        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => manager.GetAsync(s_owner, "roundtrip/counter", CounterState.StateSchema.TypeInfo).AsTask());
        Assert.Equal(typeof(CounterState), ex.TargetType);
    }

    private static async Task AssertCorruptAsync(byte[] document)
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var version = await WriteRawAsync(driver, document);

        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => manager.GetAsync(s_owner, Key, Everything.StateSchema.TypeInfo).AsTask());
        AssertCorrupt(ex, version);

        // The typed accessor, a listing and a transaction report it the same way.
        ex = await Assert.ThrowsAsync<CorruptStateException>(() => Everything.LoadAsync(manager.ForAgent(s_owner.GuildId!, s_owner.AgentId!)).AsTask());
        AssertCorrupt(ex, version);
        await foreach (var listed in manager.ListAsync(s_owner, "roundtrip/", Everything.StateSchema.TypeInfo))
        {
            Assert.True(listed.Exists);
            AssertCorrupt(Assert.IsType<CorruptStateException>(listed.Error), version);
        }

        await using (var tx = await manager.BeginTransactionAsync())
        {
            AssertCorrupt(await Assert.ThrowsAsync<CorruptStateException>(() => tx.GetAsync(s_owner, Key, Everything.StateSchema.TypeInfo).AsTask()), version);
        }

        // The record is left as it was.
        var raw = await driver.ReadAsync(s_owner, Key, default);
        Assert.Equal(document, raw!.Value.Value.ToArray());
        Assert.Equal(version, raw.Value.Version);
    }

    private static void AssertCorrupt(CorruptStateException ex, long version)
    {
        Assert.Equal(s_owner, ex.Owner);
        Assert.Equal(Scope.Agent, ex.Scope);
        Assert.Equal(Key, ex.Key);
        Assert.Equal(version, ex.Version);
        Assert.Equal(typeof(Everything), ex.TargetType);
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
