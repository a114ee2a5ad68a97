using System.Text.Json;
using TypedState.Sqlite;

namespace TypedState.Tool.Tests;

/// <summary>The tool against a SQLite file the test fills through the library: every command, plain and --json.</summary>
public sealed class SqliteToolTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string[] Store => ["--driver", "sqlite", "--connection", _temp.ConnectionString()];

    private async Task<StateManager> FilledAsync()
    {
        var state = new SqliteStateManager(_temp.ConnectionString());
        await StoreFill.FillAsync(state);
        return state;
    }

    private Task<ToolResult> RunAsync(params string[] arguments) => ToolProcess.RunAsync(_temp.Path, [.. arguments, .. Store]);

    [Fact]
    public async Task Status_counts_owners_records_and_bytes_per_scope_and_type_version_and_names_corrupt_records()
    {
        await using (await FilledAsync())
        {
        }

        var result = await RunAsync("status", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        var scopes = json.GetProperty("scopes").EnumerateArray()
            .Select(s => (s.GetProperty("scope").GetString(), s.GetProperty("owners").GetInt64(), s.GetProperty("records").GetInt64())).ToList();
        Assert.Equal([("Global", 1L, 1L), ("Guild", 1L, 1L), ("Agent", 2L, 5L)], scopes);
        var types = json.GetProperty("types").EnumerateArray()
            .Select(t => $"{t.GetProperty("scope").GetString()} {t.GetProperty("key").GetString()} {Version(t)} {t.GetProperty("records").GetInt64()}").ToList();
        Assert.Equal(["Global Settings 1 1", "Guild Board 2 1", "Agent (untyped values) - 2", "Agent Notes 1 1", "Agent Notes 2 1"], types);
        Assert.Equal(1, json.GetProperty("corruptCount").GetInt64());
        var corrupt = Assert.Single(json.GetProperty("corrupt").EnumerateArray().ToList());
        Assert.Equal(("Agent", "g1", "a1", "broken"), (corrupt.GetProperty("scope").GetString(), corrupt.GetProperty("guild").GetString(), corrupt.GetProperty("agent").GetString(), corrupt.GetProperty("key").GetString()));

        var plain = await RunAsync("status");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Contains("Corrupt records (not JSON): 1", plain.Output, StringComparison.Ordinal);
        Assert.Contains("agent:g1/a1 key 'broken'", plain.Output, StringComparison.Ordinal);
        Assert.Matches(@"Agent\s+Notes\s+2\s+1", plain.Output);
        Assert.All(plain.Output.Split('\n'), line => Assert.True(line.Length <= 80, $"Wider than 80 columns: '{line}'"));
        Assert.DoesNotContain("\u001b[", plain.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_shows_a_record_with_its_version_and_a_missing_one_is_exit_code_3_naming_owner_and_key()
    {
        await using (await FilledAsync())
        {
        }

        var json = await RunAsync("get", "Notes", "--guild", "g1", "--agent", "a2", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var record = json.Json();
        Assert.Equal((2L, 2), (record.GetProperty("version").GetInt64() + 1, record.GetProperty("value").GetProperty("$version").GetInt32()));
        Assert.Equal("x", record.GetProperty("value").GetProperty("Tags")[0].GetString());

        var plain = await RunAsync("get", "Notes", "--guild", "g1", "--agent", "a2");
        Assert.Contains("agent:g1/a2 key 'Notes' version 1", plain.Output, StringComparison.Ordinal);
        Assert.Contains("\"Count\": 2", plain.Output, StringComparison.Ordinal);

        var corrupt = await RunAsync("get", "broken", "--guild", "g1", "--agent", "a1", "--json");
        Assert.True(corrupt.ExitCode == 0, corrupt.ToString());
        Assert.Equal("{not json", System.Text.Encoding.UTF8.GetString(corrupt.Json().GetProperty("valueBase64").GetBytesFromBase64()));

        var missing = await RunAsync("get", "Nothing", "--guild", "g1");
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("No record 'Nothing' for guild:g1", missing.Error, StringComparison.Ordinal);
        Assert.Contains("Sqlite store", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_streams_an_owners_records_under_a_literal_prefix()
    {
        await using (await FilledAsync())
        {
        }

        var json = await RunAsync("list", "--guild", "g1", "--agent", "a2", "--prefix", "visits/", "--values", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var records = json.Json().EnumerateArray().Select(r => (r.GetProperty("key").GetString(), r.GetProperty("value").GetInt32())).ToList();
        Assert.Equal([("visits/2026", 42), ("visits/2027", 7)], records);

        var plain = await RunAsync("list", "--global");
        Assert.Contains("Settings  version 1", plain.Output, StringComparison.Ordinal);
        Assert.Contains("schema v1", plain.Output, StringComparison.Ordinal);
        Assert.Contains("1 record(s) of global under ''.", plain.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_commands_read_history_fork_detach_pause_resume_and_prune_and_refusals_change_nothing()
    {
        await using var state = new SqliteStateManager(_temp.ConnectionString());
        await state.Timelines.StartAsync("support");
        var triage = StateOwner.Agent("support", "triage");
        await state.SetAsync(triage, "ticket", "open");
        await state.SetAsync(triage, "ticket", "routed");
        await state.SetAsync(triage, "ticket", "closed");

        var history = await RunAsync("history", "support", "--after", "1", "--values", "--json");
        Assert.True(history.ExitCode == 0, history.ToString());
        var entries = history.Json().GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("sequence").GetInt64(), e.GetProperty("value").GetString())).ToList();
        Assert.Equal([(2L, "routed"), (3L, "closed")], entries);
        Assert.Equal(3, history.Json().GetProperty("head").GetInt64());

        var fork = await RunAsync("fork", "support", "what-if", "--at", "2", "--json");
        Assert.True(fork.ExitCode == 0, fork.ToString());
        Assert.Equal(("support", 2L), (fork.Json().GetProperty("forkedFrom").GetString(), fork.Json().GetProperty("forkSequence").GetInt64()));
        Assert.Equal("routed", (await state.GetAsync<string>(StateOwner.Agent("what-if", "triage"), "ticket")).Value);

        await state.SetAsync(StateOwner.Agent("what-if", "triage"), "ticket", "escalated");
        var diff = await RunAsync("diff", "support", "what-if", "--json");
        Assert.True(diff.ExitCode == 0, diff.ToString());
        var differs = Assert.Single(diff.Json().GetProperty("records").EnumerateArray().ToList());
        Assert.Equal(("triage", "ticket", "closed", "escalated"), (differs.GetProperty("agent").GetString(), differs.GetProperty("key").GetString(),
            differs.GetProperty("left").GetProperty("value").GetString(), differs.GetProperty("right").GetProperty("value").GetString()));
        Assert.Equal(("support", 2L, 1L, 1L), (diff.Json().GetProperty("commonGuild").GetString(), diff.Json().GetProperty("commonSequence").GetInt64(),
            diff.Json().GetProperty("leftSince").GetInt64(), diff.Json().GetProperty("rightSince").GetInt64()));
        var plainDiff = await RunAsync("diff", "support", "what-if");
        Assert.Contains("agent triage 'ticket': v3 \"closed\" | v3 \"escalated\"", plainDiff.Output, StringComparison.Ordinal);

        var onto = await RunAsync("fork", "support", "what-if", "--at", "1");
        Assert.Equal(4, onto.ExitCode);
        Assert.Contains("what-if", onto.Error, StringComparison.Ordinal);
        var beyond = await RunAsync("fork", "support", "later", "--at", "99");
        Assert.Equal(4, beyond.ExitCode);
        Assert.Contains("99", beyond.Error, StringComparison.Ordinal);
        Assert.Null(await state.Timelines.GetAsync("later"));

        var notAFork = await RunAsync("detach", "support");
        Assert.Equal(4, notAFork.ExitCode);
        Assert.Contains("'support'", notAFork.Error, StringComparison.Ordinal);
        var detached = await RunAsync("detach", "what-if", "--json");
        Assert.True(detached.ExitCode == 0, detached.ToString());
        Assert.Equal((false, 2L), (detached.Json().TryGetProperty("forkedFrom", out _), detached.Json().GetProperty("retainedFrom").GetInt64()));
        Assert.Empty(await state.Timelines.ListForksAsync("support").ToListAsync());
        Assert.Equal("escalated", (await state.GetAsync<string>(StateOwner.Agent("what-if", "triage"), "ticket")).Value);

        var paused = await RunAsync("pause", "support");
        Assert.True(paused.ExitCode == 0, paused.ToString());
        Assert.Contains("paused at 3", paused.Output, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StateTimelineException>(async () => await state.SetAsync(triage, "ticket", "reopened"));
        Assert.Equal(0, (await RunAsync("resume", "support")).ExitCode);
        await state.SetAsync(triage, "ticket", "reopened");

        var pruned = await RunAsync("prune", "support", "--horizon", "3", "--json");
        Assert.True(pruned.ExitCode == 0, pruned.ToString());
        Assert.Equal(3, pruned.Json().GetProperty("retainedFrom").GetInt64()); // the detached fork no longer holds it at 2

        var none = await RunAsync("history", "nowhere");
        Assert.Equal(3, none.ExitCode);
        Assert.Contains("nowhere", none.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_applications_settings_file_in_the_working_folder_is_used_when_no_flag_names_a_store()
    {
        await using (await FilledAsync())
        {
        }

        await File.WriteAllTextAsync(Path.Combine(_temp.Path, "appsettings.json"), $$"""
            { "TypedState": { "Driver": "Sqlite", "Sqlite": { "ConnectionString": {{JsonSerializer.Serialize(_temp.ConnectionString())}} } } }
            """);
        var result = await ToolProcess.RunAsync(_temp.Path, "get", "Settings", "--global");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("global key 'Settings' version 1", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_command_lines_are_exit_code_1_and_a_missing_store_exit_code_2_each_with_a_message()
    {
        var unknownDriver = await ToolProcess.RunAsync(_temp.Path, "status", "--driver", "oracle", "--connection", "x");
        Assert.Equal(1, unknownDriver.ExitCode);
        Assert.Contains("Unknown driver 'oracle'", unknownDriver.Error, StringComparison.Ordinal);

        var noStore = await ToolProcess.RunAsync(_temp.Path, "status");
        Assert.Equal(2, noStore.ExitCode);
        Assert.Contains("No store is configured", noStore.Error, StringComparison.Ordinal);

        var agentAlone = await RunAsync("get", "k", "--agent", "a1");
        Assert.Equal(1, agentAlone.ExitCode);
        Assert.Contains("--agent needs the agent's --guild", agentAlone.Error, StringComparison.Ordinal);

        var missingConfig = await ToolProcess.RunAsync(_temp.Path, "status", "--config", "missing.json");
        Assert.Equal(1, missingConfig.ExitCode);
        Assert.Contains("missing.json", missingConfig.Error, StringComparison.Ordinal);

        var unknownCommand = await ToolProcess.RunAsync(_temp.Path, "explode");
        Assert.Equal(1, unknownCommand.ExitCode);

        var badKey = await RunAsync("get", "bad\tkey", "--global");
        Assert.Equal(1, badKey.ExitCode);
        Assert.Contains("[scope Global, key", badKey.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_command_has_help_with_an_example()
    {
        foreach (var command in (string[])["status", "get", "list", "history", "export", "import", "diff", "pause", "resume", "fork", "detach", "prune", "migrate", "quarantine", "locks"])
        {
            var help = await ToolProcess.RunAsync(_temp.Path, command, "--help");
            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Contains($"Examples:{Environment.NewLine}  typedstate {command}", help.Output, StringComparison.Ordinal);
            Assert.All(help.Output.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 80, $"Wider than 80 columns: '{line}'"));
        }
    }

    private static string Version(JsonElement type) =>
        type.GetProperty("version").ValueKind == JsonValueKind.Null ? "-" : type.GetProperty("version").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
