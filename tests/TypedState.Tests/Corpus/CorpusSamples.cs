using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TypedState.Tests.Corpus;

/// <summary>Filled values of the corpus's state types, as an agent would store them (the serializer benchmark links this file).</summary>
internal static class CorpusSamples
{
    private static readonly DateTimeOffset s_at = new(2026, 3, 14, 15, 9, 26, TimeSpan.FromHours(2));

    public static ChatMemory Chat() => new()
    {
        Turns =
        [
            new ChatTurn { Role = ChatRole.User, Content = "Book a table for two — ce soir 🍷", At = s_at },
            new ChatTurn
            {
                Role = ChatRole.Assistant,
                Content = "",
                At = s_at.AddSeconds(2),
                Tools = [new ToolInvocation("search_restaurants", "{\"party\":2}", "call_1"), new ToolInvocation("noop", "{}")],
            },
        ],
        Summary = new ConversationSummary { Text = "Earlier: greetings.", TurnsCovered = 4, Through = s_at.AddHours(-1) },
        MaxTurns = 12,
    };

    public static MemoryIndex Memory() => new()
    {
        Facts =
        [
            new MemoryFact("Prefers window seats", [0.25f, -1.5f, 3f], 0.9) { LastUsed = s_at },
            new MemoryFact("Vegetarian", [], 1) { Source = "profile" },
        ],
        ByTopic = new() { ["food"] = [1], ["travel"] = [0, 1] },
    };

    public static PersonaState Persona() => new()
    {
        Persona = new Persona { Name = "Ada", Tone = "warm", Greeting = "Hello!", Avoid = ["slang"] },
        Alternatives = [new Persona { Name = "Brief", Tone = "terse" }],
    };

    public static ToolCallLog Tools()
    {
        var call = new ToolCall
        {
            Id = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            Tool = "http_get",
            Arguments = new() { ["url"] = "https://example.org/a?b=c&d=é" },
            Timing = new CallTiming { Started = s_at, Duration = TimeSpan.FromMilliseconds(1234.5) },
        };
        call.Finish(CallOutcome.Failed);
        call.Error = "timeout";
        return new ToolCallLog
        {
            Calls = [call, new ToolCall { Tool = "calc" }],
            Stats = new() { ["http_get"] = new ToolStats(3, 1, TimeSpan.FromSeconds(4)) },
        };
    }

    public static ToolRunLog ToolRun()
    {
        var search = new WebSearchCall
        {
            CallId = "call_1",
            At = s_at,
            Outcome = CallOutcome.Succeeded,
            Query = "typed state \"agents\"",
            Results = [new Uri("https://example.org/a?b=c"), new Uri("https://example.org/é")],
        };
        var run = new CodeRunCall { CallId = "call_2", At = s_at.AddSeconds(3), Code = "print(1)", ExitCode = 0, Stdout = "1\n", Elapsed = TimeSpan.FromMilliseconds(87) };
        var edit = new FileEditCall { CallId = "call_3", Path = "src/app.py", Edits = [new TextEdit(3, "x = 1", "x = 2"), new TextEdit(9, "", "# done")] };
        return new ToolRunLog
        {
            Calls = [search, run, edit],
            Running = new CodeRunCall { CallId = "call_4", Outcome = CallOutcome.Pending, Language = "bash", Code = "ls" },
            ByCallId = new() { ["call_1"] = search, ["call_3"] = edit },
            Observations =
            [
                new TextObservation { Source = "call_1", Text = "TypedState stores state" },
                new ImageObservation { Source = "call_1", Url = new Uri("https://example.org/i.png"), Width = 640, Height = 480 },
            ],
            Notes = [new RunNote { Text = "started" }, new RetryNote { Text = "retried", Attempt = 2, CallId = "call_2" }],
            Steps =
            [
                new RunStep { Goal = "plan", Done = true },
                new CallToolStep { Goal = "search", Tool = "web_search", Done = true },
                new AskUserStep { Goal = "confirm", Question = "Proceed?", AskedAt = s_at },
            ],
            Budget = new TokenBudget { Hard = true, MaxTokens = 50_000 },
        };
    }

    public static RateLimitState Limits() => new()
    {
        Buckets = new() { ["openai"] = new TokenBucket(100, 42.5, s_at) },
        Default = new TokenBucket(10, 10, s_at.AddDays(-1)),
    };

    public static PlanState Plan() => new("Ship the release")
    {
        Steps =
        [
            new PlanStep { Order = 1, Title = "Build", Status = StepStatus.Done },
            new PlanStep
            {
                Order = 2,
                Title = "Test",
                Status = StepStatus.Running,
                DependsOn = ["Build"],
                Substeps = [new PlanStep { Order = 1, Title = "Unit" }, new PlanStep { Order = 2, Title = "Integration", Status = StepStatus.Skipped }],
                Notes = { "flaky on CI", "rerun once" },
            },
        ],
        Budget = new PlanBudget(5, TimeSpan.FromHours(1)),
    };

    public static TaskBoard Board() => new()
    {
        Pending = [new QueuedTask { Id = "t1", Priority = 2, FollowUp = new QueuedTask { Id = "t1b", Attempts = 1 } }],
        Current = new QueuedTask { Id = "t0", Priority = 9, Attempts = 3 },
        Claims = { ["t0"] = 2, ["t1"] = 5 },
        Watchers = { "ops", "release" },
    };

    public static CheckpointState Checkpoint() => new()
    {
        Label = "after-search",
        Sequence = 17,
        Entries = new() { ["memory"] = new CheckpointEntry { Offset = 0, Length = 512, Hash = "ab12" }, ["plan"] = new CheckpointEntry { Offset = 512, Length = 64 } },
    };

    public static CostLedger Ledger() => new()
    {
        Prices = new() { ["gpt"] = new ModelPrice(2.5m, 10m), ["small"] = new ModelPrice(0.15m, 0.6m) },
        Entries = [new CostEntry("gpt", 1200, 300, 0.006m) { Agent = "planner", At = s_at }],
        Total = 0.006m,
    };

    public static Workspace Files() => new()
    {
        Root = "/repo",
        Files =
        [
            new WorkspaceFile { Path = "README.md", Content = [1, 2, 3], Revisions = [new FileRevision { Number = 1, At = s_at }] },
            new WorkspaceFile { Path = "LICENSE", ReadOnly = true },
        ],
        Locks = new() { ["README.md"] = "writer-agent" },
    };

    public static ScheduleState Schedule() => new()
    {
        Today = new DateOnly(2026, 12, 4),
        QuietFrom = new TimeOnly(22, 30),
        Appointments =
        [
            new Appointment("Stand-up", new DateOnly(2026, 12, 5), new TimeOnly(9, 15, 0, 250), null),
            new Appointment("Review", new DateOnly(1, 1, 1), TimeOnly.MinValue, TimeOnly.MaxValue),
        ],
        Holidays = [new DateOnly(2026, 12, 25), DateOnly.MaxValue],
    };

    public static ToolResultCache Results() => new()
    {
        ByCall = new()
        {
            ["call_1"] = JsonDocument.Parse("""{"rows":[1,2.50,"x"],"ok":true,"Nested":{"a":null}}""").RootElement.Clone(),
            ["call_2"] = JsonDocument.Parse("null").RootElement.Clone(),
        },
        Last = JsonDocument.Parse("\"done — ✓\"").RootElement.Clone(),
        Scratch = new JsonObject { ["step"] = 3, ["notes"] = new JsonArray("a", "b") },
        History = [1, "two", null, new JsonObject()],
        Anything = JsonNode.Parse("""[true,{"k":1e3}]"""),
        Marker = JsonValue.Create(42),
    };

    public static BookmarkState Bookmarks() => new()
    {
        Pages =
        [
            new Bookmark { Address = new Uri("https://example.org/a b?q=ü#frag"), Title = "A", Saved = new DateOnly(2026, 1, 2) },
            new Bookmark { Address = new Uri("../relative/page.html", UriKind.Relative) },
        ],
        Home = new Uri("HTTPS://Example.org:443/"),
    };

    public static TelemetryState Telemetry() => new()
    {
        Temperature = (Half)21.5,
        Samples = [(Half)0.1, Half.MaxValue, Half.MinValue, Half.Epsilon, (Half)(-0.0)],
        TotalBytes = Int128.MaxValue,
        Checksum = UInt128.MaxValue - 1,
        Count = long.MinValue,
    };

    public static AgentRoster Roster()
    {
        var planner = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        return new AgentRoster
        {
            Agents = new() { [planner] = new RosterEntry("planner", "gpt") { Skills = ["plan", "search"] }, [Guid.Empty] = new RosterEntry("idle", "none") },
            SeatByNumber = new() { [1] = "front", [-7] = "back", [int.MaxValue] = "far" },
            ShiftsByEpoch = new Dictionary<long, List<string>> { [long.MinValue] = ["night"], [0] = [] },
            Escalations = new() { [Urgency.High] = [planner], [Urgency.Low] = [], [(Urgency)9] = [Guid.Empty] },
        };
    }

    public static ConfigSnapshot Snapshot() => new()
    {
        EnabledTools = ["search", "calc"],
        Rules = [new PromptRule("user asks for code", "answer in C#")],
        Limits = ImmutableDictionary<string, int>.Empty.Add("tokens", 4096).Add("turns", 20),
        Ports = [443, 8443],
        Levels = ImmutableList.Create(Urgency.Normal, Urgency.High),
    };

    public static ModelCatalog Catalog() => new()
    {
        Prices = new Dictionary<string, decimal> { ["gpt"] = 2.5m, ["small"] = 0.15m }.ToFrozenDictionary(),
        Blocked = new[] { "rm", "format" }.ToFrozenSet(),
        Fallbacks = new Dictionary<Urgency, string> { [Urgency.High] = "gpt" }.ToFrozenDictionary(),
    };

    public static EvalRun Eval() => new("reasoning-v2")
    {
        Passed = 41,
        Failed = 2,
        Cases = [new EvalCase("arithmetic") { Score = 0.975 }, new EvalCase("logic")],
    };

    public static HandoffLedger Handoffs() => new()
    {
        Open =
        [
            new Handoff("triage", "billing", HandoffReason.OutOfScope) { ConversationId = Guid.Parse("9b2f4c1e-0000-4000-8000-000000000001"), Context = ["refund", "order 42"], At = s_at },
            new Handoff("billing", "human", HandoffReason.Escalation),
        ],
        CountByAgent = new() { ["triage"] = 7, ["billing"] = 1 },
    };

    public static GuardrailState Guardrails() => new()
    {
        Rules = [new Guardrail { Pattern = "(?i)password", Severity = 0.9f }, new Guardrail { Pattern = "\\bssn\\b", Block = false }],
        RecentViolations = ["password in reply"],
        Violations = 3,
    };
}
