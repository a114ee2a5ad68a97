using System.Text;
using System.Text.Json;
using TypedState.InMemory;
using TypedState.Storage;
using TypedState.Tests.Schema;

namespace TypedState.Tests.Corpus;

/// <summary>
/// Polymorphic members ([JsonPolymorphic], [JsonDerivedType]) in System.Text.Json's format: the discriminator first,
/// then the derived type's members; documents with an unknown or misplaced discriminator are corrupt records, and a
/// runtime type the base does not list is refused on write.
/// </summary>
public sealed class PolymorphismTests
{
    private const string Key = "corpus/tool-run";

    private static readonly StateOwner s_owner = StateOwner.Agent("g", "a");

    [Fact]
    public void Each_kind_is_written_with_its_discriminator_first_then_its_own_and_its_base_members()
    {
        var json = Encoding.UTF8.GetString(ToolRunLog.StateSchema.Serialize(CorpusSamples.ToolRun()));

        Assert.Contains("""{"$type":"code_run","language":"python","code":"print(1)","exitCode":0,"stdout":"1\n","elapsed":"00:00:00.0870000","callId":"call_2",""", json, StringComparison.Ordinal);
        Assert.Contains("""{"kind":2,"source":"call_1","url":"https://example.org/i.png","width":640,"height":480}""", json, StringComparison.Ordinal);

        // A concrete base that lists itself is written with its own discriminator; a listed subclass with its own.
        Assert.Contains("""{"$type":"note","text":"started"},{"$type":"retry","attempt":2,"callId":"call_2","text":"retried"}""", json, StringComparison.Ordinal);

        // A polymorphic state part, under a discriminator of its own name.
        Assert.Contains("""{"$type":"tokens","maxTokens":50000,"hard":true}""", json, StringComparison.Ordinal);
        Assert.Contains("""{"goal":"plan","done":true},{"step":"tool","tool":"web_search","goal":"search","done":true},{"step":7,"question":"Proceed?",""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Documents_read_back_into_the_runtime_types_they_were_written_from()
    {
        var log = ToolRunLog.StateSchema.Deserialize(ToolRunLog.StateSchema.Serialize(CorpusSamples.ToolRun()));

        Assert.Equal("typed state \"agents\"", Assert.IsType<WebSearchCall>(log.Calls[0]).Query);
        Assert.Equal(87, Assert.IsType<CodeRunCall>(log.Calls[1]).Elapsed.TotalMilliseconds);
        Assert.Equal("bash", Assert.IsType<CodeRunCall>(log.Running).Language);
        Assert.Equal("x = 2", Assert.IsType<FileEditCall>(log.ByCallId["call_3"]).Edits[0].After);
        Assert.Equal(480, Assert.IsType<ImageObservation>(log.Observations[1]).Height);
        Assert.IsType<RunNote>(log.Notes[0]);
        Assert.Equal(2, Assert.IsType<RetryNote>(log.Notes[1]).Attempt);
        Assert.IsType<RunStep>(log.Steps[0]);
        Assert.Equal("web_search", Assert.IsType<CallToolStep>(log.Steps[1]).Tool);
        Assert.Equal("Proceed?", Assert.IsType<AskUserStep>(log.Steps[2]).Question);
        Assert.Equal(50_000, Assert.IsType<TokenBudget>(log.Budget).MaxTokens);
    }

    public static TheoryData<string, string> CorruptDocuments => new()
    {
        // A discriminator no derived type has, as a string and as a number.
        { """{"calls":[{"$type":"code_run","callId":"a"},{"$type":"shell","callId":"b"}]}""", "$.calls[1]['$type']" },
        { """{"observations":[{"kind":3,"source":"s"}]}""", "$.observations[0].kind" },
        { """{"observations":[{"kind":"1","source":"s"}]}""", "$.observations[0].kind" },

        // An abstract base or an interface needs its discriminator, first.
        { """{"running":{"callId":"a","$type":"code_run"}}""", "$.running" },
        { """{"byCallId":{"x":{}}}""", "$.byCallId.x" },
        { """{"observations":[{"source":"s","kind":1}]}""", "$.observations[0]" },

        // A concrete base reads an object without one as itself, but not one with it elsewhere.
        { """{"notes":[{"text":"t","$type":"retry"}]}""", "$.notes[0]['$type']" },

        // The same for a polymorphic state part.
        { """{"steps":[{"goal":"g","step":"tool"}]}""", "$.steps[0].step" },
        { """{"steps":[{"step":"wait"}]}""", "$.steps[0].step" },
        { """{"steps":[{"step":8}]}""", "$.steps[0].step" },
        { """{"budget":{"hard":true}}""", "$.budget" },

        // The derived type's own rules still hold after the discriminator.
        { """{"calls":[{"$type":"web_search","query":"q"}]}""", "$.calls[0].callId" },
    };

    [Theory]
    [MemberData(nameof(CorruptDocuments))]
    public async Task An_unknown_or_misplaced_discriminator_is_a_type_mismatch_naming_record_and_path(string document, string path)
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var bytes = Encoding.UTF8.GetBytes(document);
        var written = await driver.CommitAsync([new StateWrite(s_owner, Key, StateWriteKind.Set, bytes, null)], [], CommitId.None, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<StateTypeMismatchException>(() => ToolRunLog.LoadAsync(manager.ForAgent("g", "a")).AsTask());
        Assert.Equal(path, ex.JsonPath);
        Assert.Equal(Key, ex.Key);
        Assert.Equal(typeof(ToolRunLog), ex.TargetType);
        Assert.Equal(path, Assert.IsAssignableFrom<JsonException>(ex.InnerException).Path);

        // An update fails the same way and leaves the record as it was.
        await Assert.ThrowsAsync<StateTypeMismatchException>(() => ToolRunLog.UpdateAsync(manager.ForAgent("g", "a"), l => l).AsTask());
        var raw = await driver.ReadAsync(s_owner, Key, default);
        Assert.Equal(bytes, raw!.Value.Value.ToArray());
        Assert.Equal(written.Versions[0], raw.Value.Version);
    }

    [Theory]
    [MemberData(nameof(CorruptDocuments))]
    public void System_Text_Json_refuses_each_of_these_documents_too(string document, string path)
    {
        _ = path;
        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<ToolRunLog>(document, RoundTripTests.Reflection));
    }

    [Fact]
    public void A_concrete_base_without_a_discriminator_reads_as_itself_as_System_Text_Json_reads_it()
    {
        const string document = """{"notes":[{"text":"plain","attempt":3},{"$type":"note","text":"tagged"}]}""";
        var ours = ToolRunLog.StateSchema.Deserialize(Encoding.UTF8.GetBytes(document));
        var theirs = JsonSerializer.Deserialize<ToolRunLog>(document, RoundTripTests.Reflection)!;
        Assert.IsType<RunNote>(ours.Notes[0]);
        Assert.IsType<RunNote>(theirs.Notes[0]);
        Assert.Equal("tagged", Assert.IsType<RunNote>(ours.Notes[1]).Text);
        Assert.Equal(RoundTripTests.Canonical(theirs), RoundTripTests.Canonical(ours));
    }

    [Fact]
    public async Task A_runtime_type_the_base_does_not_list_is_refused_on_write_and_nothing_is_stored()
    {
        var log = new ToolRunLog { Calls = [new ShellCall { CallId = "c", Command = "ls" }] };
        Assert.Throws<NotSupportedException>(() => ToolRunLog.StateSchema.Serialize(log));
        Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(log, RoundTripTests.Reflection));

        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var ex = await Assert.ThrowsAsync<StateException>(() => ToolRunLog.SaveAsync(manager.ForAgent("g", "a"), log).AsTask());
        Assert.IsType<NotSupportedException>(ex.InnerException);
        Assert.Contains(nameof(ShellCall), ex.Message, StringComparison.Ordinal);
        Assert.Equal(s_owner, ex.Owner);
        Assert.Equal(Key, ex.Key);
        Assert.Null(await driver.ReadAsync(s_owner, Key, default));
    }

    /// <summary>A kind of call the log's base does not list.</summary>
    public sealed class ShellCall : ToolUse
    {
        public string Command { get; set; } = "";
    }
}
