using System.Text.Json;
using TypedState.Tests.Schema;

namespace TypedState.Tests.Corpus;

/// <summary>
/// The corpus of agent state types, whose nested types carry no attribute (the generator reaches them from the state
/// types' members): each round-trips, writes what System.Text.Json writes, and each side reads the other's documents.
/// </summary>
public sealed class CorpusRoundTripTests
{
    /// <summary>For each sample, the round trip and System.Text.Json cross-reading of <see cref="RoundTripTests.AssertCompatible"/>.</summary>
    private static readonly IReadOnlyDictionary<string, Action> s_checks = new Dictionary<string, Action>
    {
        ["chat-memory"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Chat()),
        ["memory-index"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Memory()),
        ["persona"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Persona()),
        ["tool-log"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Tools()),
        ["tool-run"] = () => RoundTripTests.AssertCompatible(CorpusSamples.ToolRun()),
        ["rate-limits"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Limits()),
        ["plan"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Plan()),
        ["task-board"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Board()),
        ["checkpoint"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Checkpoint()),
        ["cost-ledger"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Ledger()),
        ["workspace"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Files()),
        ["schedule"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Schedule()),
        ["tool-results"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Results(), compareObjects: false),
        ["bookmarks"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Bookmarks()),
        ["telemetry"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Telemetry()),
        ["roster"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Roster()),
        ["eval-run"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Eval()),
        ["handoffs"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Handoffs()),
        ["guardrails"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Guardrails()),
        ["config-snapshot"] = () => RoundTripTests.AssertCompatible(CorpusSamples.Snapshot()),
    };

    public static TheoryData<string> Samples => [.. s_checks.Keys];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_state_type_of_the_corpus_round_trips_like_System_Text_Json(string sample) => s_checks[sample]();

    [Fact]
    public void Members_missing_from_a_reached_type_keep_their_initial_values_and_constructor_defaults()
    {
        var plan = PlanState.StateSchema.Deserialize("""{"goal":"g","steps":[{"title":"t"}],"budget":{}}"""u8);
        Assert.Equal("t", plan.Steps[0].Title);
        Assert.Empty(plan.Steps[0].DependsOn);
        Assert.Equal(10, plan.Budget.MaxSteps);
        Assert.Null(plan.Budget.MaxTime);

        var chat = ChatMemory.StateSchema.Deserialize("""{"turns":[{"content":"hi"}],"summary":{"text":"s"}}"""u8);
        Assert.Equal(ChatRole.System, chat.Turns[0].Role);
        Assert.Null(chat.Turns[0].Tools);
        Assert.Equal(0, chat.Summary!.TurnsCovered);
        Assert.Equal(40, chat.MaxTurns);
    }

    [Fact]
    public void Reordered_and_unknown_properties_of_reached_types_read_like_System_Text_Json()
    {
        const string document = """
            {"calls":[{"timing":{"duration":"00:00:01","extra":[1,{}],"started":"2026-01-01T00:00:00+00:00"},"outcome":"Succeeded",
              "unknown":{"a":null},"TOOL":"t","id":"6f9619ff-8b86-d011-b42d-00c04fc964ff"}],"stats":{"t":{"total":"00:00:02","calls":1,"failures":0}}}
            """;
        var ours = ToolCallLog.StateSchema.Deserialize(System.Text.Encoding.UTF8.GetBytes(document));
        var theirs = JsonSerializer.Deserialize<ToolCallLog>(document, RoundTripTests.Reflection)!;
        Assert.Equal(RoundTripTests.Canonical(theirs), RoundTripTests.Canonical(ours));
        Assert.Equal(CallOutcome.Succeeded, ours.Calls[0].Outcome);
        Assert.Equal(1, ours.Stats["t"].Calls);
    }

    [Fact]
    public void A_missing_required_member_or_a_null_struct_in_a_reached_type_is_refused_with_its_path()
    {
        var ex = Assert.ThrowsAny<JsonException>(() => ToolCallLog.StateSchema.Deserialize("""{"calls":[{"tool":"a"},{"id":"6f9619ff-8b86-d011-b42d-00c04fc964ff"}]}"""u8));
        Assert.Equal("$.calls[1].tool", ex.Path);

        ex = Assert.ThrowsAny<JsonException>(() => ToolCallLog.StateSchema.Deserialize("""{"calls":[{"tool":"a","timing":null}]}"""u8));
        Assert.Equal("$.calls[0].timing", ex.Path);

        ex = Assert.ThrowsAny<JsonException>(() => RateLimitState.StateSchema.Deserialize("""{"buckets":{"x":null}}"""u8));
        Assert.Equal("$.buckets.x", ex.Path);
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<RateLimitState>("""{"buckets":{"x":null}}""", RoundTripTests.Reflection));
    }

    [Fact]
    public void Deep_chains_of_a_type_that_refers_to_itself_round_trip_up_to_the_reader_depth_limit()
    {
        var queue = new TaskBoard { Current = new QueuedTask { Id = "0" } };
        var last = queue.Current;
        for (var i = 1; i < 30; i++)
        {
            last.FollowUp = new QueuedTask { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            last = last.FollowUp;
        }

        RoundTripTests.AssertCompatible(queue);

        // Deeper than System.Text.Json's default maximum depth (64): refused, as System.Text.Json refuses it.
        var deep = string.Concat(Enumerable.Repeat("{\"followUp\":", 70)) + "null" + new string('}', 70);
        var document = System.Text.Encoding.UTF8.GetBytes("{\"current\":" + deep + "}");
        Assert.ThrowsAny<JsonException>(() => TaskBoard.StateSchema.Deserialize(document));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<TaskBoard>(document, RoundTripTests.Reflection));
    }

    public static TheoryData<string> MalformedValues =>
    [
        """{"today":"2026-13-01"}""",
        """{"today":"2026-1-1"}""",
        """{"today":20261204}""",
        """{"quietFrom":"25:00:00"}""",
        """{"quietFrom":"1.00:00:00"}""",
        """{"quietFrom":"noon"}""",
        """{"holidays":["2026-12-25",null]}""",
        """{"appointments":[{"title":"t","day":"2026-01-01","start":"9"}]}""",
    ];

    public static TheoryData<string> MalformedNumbers =>
    [
        """{"totalBytes":1.5}""",
        """{"totalBytes":"1"}""",
        """{"totalBytes":170141183460469231731687303715884105728}""",
        """{"checksum":-1}""",
        """{"temperature":"1"}""",
        """{"temperature":true}""",
        """{"samples":[1,null]}""",
    ];

    [Theory]
    [MemberData(nameof(MalformedValues))]
    public void Malformed_dates_and_times_are_refused_as_System_Text_Json_refuses_them(string document)
    {
        Assert.ThrowsAny<JsonException>(() => ScheduleState.StateSchema.Deserialize(System.Text.Encoding.UTF8.GetBytes(document)));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<ScheduleState>(document, RoundTripTests.Reflection));
    }

    [Theory]
    [MemberData(nameof(MalformedNumbers))]
    public void Malformed_large_and_small_numbers_are_refused(string document)
    {
        // System.Text.Json's web defaults would read numbers written as strings; nothing here writes them.
        Assert.ThrowsAny<JsonException>(() => TelemetryState.StateSchema.Deserialize(System.Text.Encoding.UTF8.GetBytes(document)));
        if (!document.Contains(":\"", StringComparison.Ordinal))
        {
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<TelemetryState>(document, RoundTripTests.Reflection));
        }
    }

    [Fact]
    public void A_JSON_object_member_refuses_an_array_and_a_document_member_keeps_a_JSON_null()
    {
        Assert.ThrowsAny<JsonException>(() => ToolResultCache.StateSchema.Deserialize("""{"scratch":[1]}"""u8));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<ToolResultCache>("""{"scratch":[1]}""", RoundTripTests.Reflection));

        var ours = ToolResultCache.StateSchema.Deserialize("""{"byCall":{"a":null},"last":null}"""u8);
        Assert.Equal(JsonValueKind.Null, ours.ByCall["a"].ValueKind);
        Assert.Null(ours.Last);
    }

    /// <summary>System.Text.Json writes frozen collections but cannot read them back; the generated reader reads both.</summary>
    [Fact]
    public void Frozen_collections_are_written_as_System_Text_Json_writes_them_and_read_back()
    {
        var catalog = CorpusSamples.Catalog();
        var ours = ModelCatalog.StateSchema.Serialize(catalog);
        var theirs = JsonSerializer.SerializeToUtf8Bytes(catalog, RoundTripTests.Reflection);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(theirs), System.Text.Encoding.UTF8.GetString(RoundTripTests.WithoutVersion(ours, 1)));

        var back = ModelCatalog.StateSchema.Deserialize(theirs);
        Assert.Equal(2.5m, back.Prices["gpt"]);
        Assert.Contains("format", (IReadOnlySet<string>)back.Blocked);
        Assert.Equal("gpt", back.Fallbacks[Urgency.High]);
        Assert.Equal(RoundTripTests.Canonical(catalog), RoundTripTests.Canonical(back));
    }

    [Fact]
    public void Dictionary_keys_that_are_not_names_of_their_type_are_refused()
    {
        Assert.ThrowsAny<JsonException>(() => AgentRoster.StateSchema.Deserialize("""{"seatByNumber":{"one":"x"}}"""u8));
        Assert.ThrowsAny<JsonException>(() => AgentRoster.StateSchema.Deserialize("""{"agents":{"not-a-guid":{"name":"n","model":"m"}}}"""u8));
        Assert.ThrowsAny<JsonException>(() => AgentRoster.StateSchema.Deserialize("""{"escalations":{"Urgent":[]}}"""u8));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<AgentRoster>("""{"seatByNumber":{"one":"x"}}""", RoundTripTests.Reflection));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<AgentRoster>("""{"escalations":{"Urgent":[]}}""", RoundTripTests.Reflection));
    }

    [Fact]
    public void An_immutable_array_has_no_null_and_an_immutable_list_keeps_one()
    {
        var ex = Assert.ThrowsAny<JsonException>(() => ConfigSnapshot.StateSchema.Deserialize("""{"enabledTools":null}"""u8));
        Assert.Equal("$.enabledTools", ex.Path);
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<ConfigSnapshot>("""{"enabledTools":null}""", RoundTripTests.Reflection));
        Assert.Null(ConfigSnapshot.StateSchema.Deserialize("""{"levels":null}"""u8).Levels);
    }
}
