using System.Text;
using System.Text.Json;
using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.Tests.Schema;

/// <summary>
/// Documents System.Text.Json refuses although each token is well formed: a required member missing, a JSON null where
/// a struct part is expected. The generated reader refuses them too, naming the member's path, and leaves the record as
/// it is.
/// </summary>
public sealed class StrictReadTests
{
    private const string Key = "strict/ledger";

    private static readonly StateOwner s_owner = StateOwner.Agent("guild-s", "agent-s");

    public static TheoryData<string, string> Documents => new()
    {
        { """{"total":{"input":1,"output":2}}""", "$.model" },
        { """{"model":"m","total":null}""", "$.total" },
        { """{"model":"m","perTurn":[{"input":1,"output":1},null]}""", "$.perTurn[1]" },
        { """{"model":"m","perTool":{"search":{"input":1},"fetch":null}}""", "$.perTool.fetch" },
        { """{"model":"m","perTool":{"odd name":null}}""", "$.perTool['odd name']" },
        { """{"model":"m","calls":[{"tool":"a","result":"r"},{"result":"x"}]}""", "$.calls[1].tool" },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task A_missing_required_member_or_a_null_struct_part_is_a_type_mismatch_naming_record_and_path(string document, string path)
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var bytes = Encoding.UTF8.GetBytes(document);
        var version = await WriteRawAsync(driver, bytes);

        var ex = await Assert.ThrowsAsync<StateTypeMismatchException>(() => TokenLedger.LoadAsync(manager.ForAgent("guild-s", "agent-s")).AsTask());
        Assert.Equal(path, ex.JsonPath);
        Assert.Equal(Key, ex.Key);
        Assert.Equal(typeof(TokenLedger), ex.TargetType);
        Assert.Contains($"key '{Key}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"(at {path})", ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, Assert.IsAssignableFrom<JsonException>(ex.InnerException).Path);

        // An update fails the same way and writes nothing.
        await Assert.ThrowsAsync<StateTypeMismatchException>(() => TokenLedger.UpdateAsync(manager.ForAgent("guild-s", "agent-s"), l => l).AsTask());
        var raw = await driver.ReadAsync(s_owner, Key, default);
        Assert.Equal(bytes, raw!.Value.Value.ToArray());
        Assert.Equal(version, raw.Value.Version);
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void System_Text_Json_refuses_each_of_these_documents_too(string document, string path)
    {
        _ = path;
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<TokenLedger>(document, RoundTripTests.Reflection));
    }

    [Fact]
    public void The_required_member_named_is_the_first_missing_one_and_its_type_is_the_part_that_lacks_it()
    {
        var ex = Assert.ThrowsAny<JsonException>(() => TokenLedger.StateSchema.Deserialize("""{"calls":[{"tool":"t"}]}"""u8));
        Assert.Equal("$.model", ex.Path);
        Assert.Contains("'model' of TokenLedger", ex.Message, StringComparison.Ordinal);

        ex = Assert.ThrowsAny<JsonException>(() => TokenLedger.StateSchema.Deserialize("""{"model":"m","calls":[{"result":"x"}]}"""u8));
        Assert.Equal("$.calls[0].tool", ex.Path);
        Assert.Contains("'tool' of ToolCallEntry", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Documents_with_every_required_member_and_no_null_structs_still_read_in_any_order()
    {
        var ledger = TokenLedger.StateSchema.Deserialize("""{"perTurn":[{"output":2,"input":1}],"calls":[{"result":"r","tool":"t"}],"model":"m","perTool":{"a":{}}}"""u8);
        Assert.Equal("m", ledger.Model);
        Assert.Equal(2, ledger.PerTurn[0].Output);
        Assert.Equal("t", ledger.Calls[0].Tool);
        Assert.Equal(0, ledger.PerTool["a"].Input);

        // A required member may hold null, as in System.Text.Json: required means present.
        Assert.Null(TokenLedger.StateSchema.Deserialize("""{"model":null}"""u8).Model);
        Assert.Null(JsonSerializer.Deserialize<TokenLedger>("""{"model":null}""", RoundTripTests.Reflection)!.Model);
    }

    private static async Task<long> WriteRawAsync(InMemoryStateDriver driver, byte[] document)
    {
        var result = await driver.CommitAsync([new StateWrite(s_owner, Key, StateWriteKind.Set, document, null)], [], CommitId.None, CancellationToken.None);
        Assert.True(result.Succeeded);
        return result.Versions[0];
    }
}
