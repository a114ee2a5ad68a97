using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TypedState.Postgres;
using TypedState.Sqlite;

namespace TypedState.Tool.Tests;

/// <summary>
/// <c>typedstate migrate</c> and <c>status --assembly</c> with the sample application's built assembly (its
/// GreeterMemory is at version 2, with a v1 to v2 step) over a SQLite file filled through the driver seam.
/// </summary>
public sealed class MigrateToolTests : IDisposable
{
    private const string Key = "GreeterMemory";

    private static readonly string s_app = Path.Combine(AppContext.BaseDirectory, "sample-app", "TypedState.Samples.Guild.dll");

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Task<ToolResult> RunAsync(params string[] arguments) =>
        ToolProcess.RunAsync(_temp.Path, [.. arguments, "--assembly", s_app, "--driver", "sqlite", "--connection", _temp.ConnectionString()]);

    private static StateOwner Agent(string id) => StateOwner.Agent("front-desk", id);

    /// <summary>Two v1 records (one without <c>$version</c>), a current one, and settings already current.</summary>
    private async Task FillAsync(params (StateOwner Owner, string Key, string Json)[] more)
    {
        await using var state = new SqliteStateManager(_temp.ConnectionString());
        await FillAsync(state, more);
    }

    private static async Task FillAsync(StateManager state, params (StateOwner Owner, string Key, string Json)[] more)
    {
        await StoreFill.WriteAsync(state, Agent("ada"), Key, """{"visits":{"ada":3}}""");
        await StoreFill.WriteAsync(state, Agent("bob"), Key, """{"$version":1,"visits":{"bob":1,"cy":2}}""");
        await StoreFill.WriteAsync(state, Agent("cy"), Key, """{"$version":2,"visitors":{}}""");
        await StoreFill.WriteAsync(state, StateOwner.Global, "SampleSettings", """{"$version":1,"runs":4,"greeting":"Hi"}""");
        foreach (var (owner, key, json) in more)
        {
            await StoreFill.WriteAsync(state, owner, key, json);
        }
    }

    private async Task<string> ReadAsync(StateOwner owner, string key)
    {
        await using var state = new SqliteStateManager(_temp.ConnectionString());
        var record = await state.Driver.ReadAsync(owner, key, CancellationToken.None);
        return Encoding.UTF8.GetString(Assert.NotNull(record).Value.Span);
    }

    /// <summary>The store's files (the database and any -wal), hashed.</summary>
    private string StoreBytes() => string.Join(
        ' ',
        Directory.GetFiles(_temp.Path, "state.db*").Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetFileName(f)}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"));

    [Fact]
    public async Task Dry_run_counts_per_type_and_version_shows_diffs_and_writes_nothing()
    {
        await FillAsync();
        var before = StoreBytes();

        var json = await RunAsync("migrate", "--dry-run", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var plan = json.Json();
        Assert.True(plan.GetProperty("wouldSucceed").GetBoolean());
        Assert.Equal(2, plan.GetProperty("wouldUpgrade").GetInt64());
        var greeter = plan.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("key").GetString() == Key);
        Assert.Equal(("Agent", 2, 3L), (greeter.GetProperty("scope").GetString(), greeter.GetProperty("version").GetInt32(), greeter.GetProperty("ownersScanned").GetInt64()));
        var versions = greeter.GetProperty("versions").EnumerateArray()
            .Select(v => $"v{v.GetProperty("storedVersion").GetInt32()} {v.GetProperty("records").GetInt64()} {v.GetProperty("alreadyCurrent").GetInt64()} {v.GetProperty("wouldUpgrade").GetInt64()}").ToList();
        Assert.Equal(["v1 2 0 2", "v2 1 1 0"], versions);
        var sample = greeter.GetProperty("versions")[0].GetProperty("samples")[0];
        Assert.Equal(("ada", 3), (sample.GetProperty("agent").GetString(), sample.GetProperty("before").GetProperty("visits").GetProperty("ada").GetInt32()));
        Assert.Equal(2, sample.GetProperty("after").GetProperty("$version").GetInt32());
        Assert.Equal(3, sample.GetProperty("after").GetProperty("visitors").GetProperty("ada").GetProperty("visits").GetInt32());
        var settings = plan.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("key").GetString() == "SampleSettings");
        Assert.Equal(1, settings.GetProperty("alreadyCurrent").GetInt64());

        var plain = await RunAsync("migrate", "--dry-run", "--samples", "1");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Matches(@"GreeterMemory\s+Agent\s+2\s+1\s+2\s+0\s+2\s+0\s+0", plain.Output);
        Assert.Contains("GreeterMemory v1 -> v2, agent:front-desk/ada key 'GreeterMemory':", plain.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("agent:front-desk/bob key", plain.Output, StringComparison.Ordinal);
        Assert.Contains("-   \"visits\": {", plain.Output, StringComparison.Ordinal);
        Assert.Contains("+   \"$version\": 2,", plain.Output, StringComparison.Ordinal);
        Assert.Contains("Would upgrade 2 record(s); 0 record(s) would stop the migration.", plain.Output, StringComparison.Ordinal);
        Assert.All(plain.Output.Split('\n'), line => Assert.True(line.Length <= 80, $"Wider than 80 columns: '{line}'"));
        Assert.DoesNotContain("\u001b[", plain.Output, StringComparison.Ordinal);

        Assert.Equal(before, StoreBytes());
    }

    [Fact]
    public async Task Migrate_upgrades_every_record_and_a_second_run_upgrades_none()
    {
        await FillAsync();

        var first = await RunAsync("migrate");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Migrating GreeterMemory (Agent) to version 2...", first.Output, StringComparison.Ordinal);
        Assert.Contains("Upgraded 2 record(s) of 4 state type(s).", first.Output, StringComparison.Ordinal);
        Assert.Equal("""{"$version":2,"visitors":{"bob":{"visits":1,"lastSeen":null},"cy":{"visits":2,"lastSeen":null}}}""", await ReadAsync(Agent("bob"), Key));

        var second = await RunAsync("migrate", "--json");
        Assert.True(second.ExitCode == 0, second.ToString());
        var result = second.Json();
        Assert.True(result.GetProperty("completed").GetBoolean());
        Assert.Equal(0, result.GetProperty("upgraded").GetInt64());
        var greeter = result.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("key").GetString() == Key);
        Assert.Equal((3L, 0L), (greeter.GetProperty("alreadyCurrent").GetInt64(), greeter.GetProperty("upgraded").GetInt64()));
    }

    [Fact]
    public async Task A_failing_record_is_listed_by_the_dry_run_and_stops_migrate_naming_it_with_nothing_lost()
    {
        const string bad = """{"$version":1,"visits":{"zed":"many"}}""";
        await FillAsync((Agent("zed"), Key, bad));

        var dry = await RunAsync("migrate", "--dry-run", "--json");
        Assert.True(dry.ExitCode == 5, dry.ToString());
        var greeter = dry.Json().GetProperty("types").EnumerateArray().Single(t => t.GetProperty("key").GetString() == Key);
        Assert.Equal(1, greeter.GetProperty("wouldFail").GetInt64());
        var failure = Assert.Single(greeter.GetProperty("failures").EnumerateArray().ToList());
        Assert.Equal(("zed", 1, "StateMigrationException"), (failure.GetProperty("agent").GetString(), failure.GetProperty("storedVersion").GetInt32(), failure.GetProperty("error").GetString()));
        Assert.Contains("1 record(s) would stop the migration", dry.Error, StringComparison.Ordinal);
        var plain = await RunAsync("migrate", "--dry-run");
        Assert.Equal(5, plain.ExitCode);
        Assert.Contains("agent:front-desk/zed key 'GreeterMemory' (stored v1): Migrating GreeterMemory from schema version 1 to 2 failed", plain.Output, StringComparison.Ordinal);

        // One record a batch: the records before the failing one are upgraded, it and those after it are not.
        var run = await RunAsync("migrate", "--batch-size", "1");
        Assert.True(run.ExitCode == 5, run.ToString());
        Assert.Contains("Migrating GreeterMemory stopped: Migrating GreeterMemory from schema version 1 to 2 failed", run.Error, StringComparison.Ordinal);
        Assert.Contains("guild 'front-desk', agent 'zed', key 'GreeterMemory'", run.Error, StringComparison.Ordinal);
        Assert.Equal(bad, await ReadAsync(Agent("zed"), Key));
        Assert.StartsWith("""{"$version":2,""", await ReadAsync(Agent("ada"), Key), StringComparison.Ordinal);

        // Resumable: once the record is mended, the next run upgrades only what is left.
        await using (var state = new SqliteStateManager(_temp.ConnectionString()))
        {
            await StoreFill.WriteAsync(state, Agent("zed"), Key, """{"$version":1,"visits":{"zed":5}}""");
        }

        var again = await RunAsync("migrate", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(1, again.Json().GetProperty("upgraded").GetInt64());
    }

    [Fact]
    public async Task With_quarantine_failures_a_failing_record_is_quarantined_and_the_rest_upgraded()
    {
        const string bad = """{"$version":1,"visits":{"zed":"many"}}""";
        await FillAsync((Agent("zed"), Key, bad));

        var dry = await RunAsync("migrate", "--dry-run", "--quarantine-failures");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains("1 record(s) would be quarantined", dry.Error, StringComparison.Ordinal);

        var run = await RunAsync("migrate", "--quarantine-failures", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal((2L, 1L), (run.Json().GetProperty("upgraded").GetInt64(), run.Json().GetProperty("quarantined").GetInt64()));
        Assert.StartsWith("""{"$version":2,""", await ReadAsync(Agent("ada"), Key), StringComparison.Ordinal);
        Assert.StartsWith("""{"$version":2,""", await ReadAsync(Agent("bob"), Key), StringComparison.Ordinal);

        // The failing record left its key, kept whole in the quarantine with the migrator's reason.
        await using (var state = new SqliteStateManager(_temp.ConnectionString()))
        {
            Assert.Null(await state.Driver.ReadAsync(Agent("zed"), Key, CancellationToken.None));
        }

        var listed = await ToolProcess.RunAsync(_temp.Path, ["quarantine", "list", "--json", "--values", "--driver", "sqlite", "--connection", _temp.ConnectionString()]);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var entry = Assert.Single(listed.Json().EnumerateArray().ToList());
        Assert.Equal(("zed", Key), (entry.GetProperty("agent").GetString(), entry.GetProperty("key").GetString()));
        Assert.Contains("Migrating GreeterMemory from schema version 1 to 2 failed", entry.GetProperty("reason").GetString(), StringComparison.Ordinal);
        using (var kept = JsonDocument.Parse(bad))
        {
            Assert.True(JsonElement.DeepEquals(kept.RootElement, entry.GetProperty("value")), entry.ToString());
        }

        var plain = await RunAsync("migrate", "--quarantine-failures");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Contains("Upgraded 0 record(s)", plain.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_newer_than_the_code_are_counted_by_status_and_stop_the_dry_run()
    {
        await FillAsync((StateOwner.Agent("back-office", "nova"), Key, """{"$version":3,"visitors":{},"badges":[]}"""));

        var status = await RunAsync("status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        var json = status.Json();
        Assert.Equal(1, json.GetProperty("newerThanCodeCount").GetInt64());
        var newer = Assert.Single(json.GetProperty("newerThanCode").EnumerateArray().ToList());
        Assert.Equal(("nova", Key, 3, 2), (newer.GetProperty("agent").GetString(), newer.GetProperty("key").GetString(), newer.GetProperty("version").GetInt32(), newer.GetProperty("codeVersion").GetInt32()));
        var rows = json.GetProperty("types").EnumerateArray().Where(t => t.GetProperty("key").GetString() == Key)
            .Select(t => $"v{t.GetProperty("version").GetInt32()} code v{t.GetProperty("codeVersion").GetInt32()}: {t.GetProperty("records").GetInt64()}").ToList();
        Assert.Equal(["v1 code v2: 2", "v2 code v2: 1", "v3 code v2: 1"], rows);
        var plainStatus = await RunAsync("status");
        Assert.Contains("Newer than the code: 1", plainStatus.Output, StringComparison.Ordinal);
        Assert.Contains("agent:back-office/nova key 'GreeterMemory' v3 (code v2)", plainStatus.Output, StringComparison.Ordinal);

        var dry = await RunAsync("migrate", "--dry-run", "--json");
        Assert.Equal(5, dry.ExitCode);
        var greeter = dry.Json().GetProperty("types").EnumerateArray().Single(t => t.GetProperty("key").GetString() == Key);
        Assert.Equal(1, greeter.GetProperty("newerThanCode").GetInt64());
        Assert.True(Assert.Single(greeter.GetProperty("failures").EnumerateArray().ToList()).GetProperty("newerThanCode").GetBoolean());
    }

    [Fact]
    public async Task Dry_run_and_migrate_work_on_postgres_as_on_sqlite()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("migrate");
        try
        {
            await using var state = new PostgresStateManager(server.ConnectionString, schema);
            await FillAsync(state);
            string[] store = ["--assembly", s_app, "--driver", "postgres", "--connection", server.ConnectionString, "--schema", schema];

            var dry = await ToolProcess.RunAsync(_temp.Path, ["migrate", "--dry-run", "--json", .. store]);
            Assert.True(dry.ExitCode == 0, dry.ToString());
            Assert.Equal(2, dry.Json().GetProperty("wouldUpgrade").GetInt64());
            var run = await ToolProcess.RunAsync(_temp.Path, ["migrate", "--json", .. store]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(2, run.Json().GetProperty("upgraded").GetInt64());
            var again = await ToolProcess.RunAsync(_temp.Path, ["migrate", "--dry-run", "--json", .. store]);
            Assert.Equal(0, again.Json().GetProperty("wouldUpgrade").GetInt64());

            var record = await state.Driver.ReadAsync(Agent("ada"), Key, CancellationToken.None);
            using var document = JsonDocument.Parse(Assert.NotNull(record).Value);
            Assert.Equal(2, document.RootElement.GetProperty("$version").GetInt32());
            Assert.Equal(3, document.RootElement.GetProperty("visitors").GetProperty("ada").GetProperty("visits").GetInt32());
        }
        finally
        {
            await server.DropSchemasAsync([schema]);
        }
    }

    [Fact]
    public async Task A_missing_file_a_file_that_is_no_assembly_and_one_without_state_types_are_exit_code_1()
    {
        string[] store = ["--driver", "sqlite", "--connection", _temp.ConnectionString()];
        var missing = await ToolProcess.RunAsync(_temp.Path, ["migrate", "--dry-run", "--assembly", "nowhere/App.dll", .. store]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("App.dll' does not exist", missing.Error, StringComparison.Ordinal);

        var notAssembly = await ToolProcess.RunAsync(_temp.Path, ["migrate", "--assembly", Path.Combine(AppContext.BaseDirectory, "sample-app", "appsettings.json"), .. store]);
        Assert.Equal(1, notAssembly.ExitCode);
        Assert.Contains("appsettings.json' is not a .NET assembly", notAssembly.Error, StringComparison.Ordinal);

        var noTypes = await ToolProcess.RunAsync(_temp.Path, ["migrate", "--assembly", Path.Combine(AppContext.BaseDirectory, "TypedState.Tests.Fixtures.dll"), .. store]);
        Assert.Equal(1, noTypes.ExitCode);
        Assert.Contains("holds no state types", noTypes.Error, StringComparison.Ordinal);

        var none = await ToolProcess.RunAsync(_temp.Path, ["migrate", .. store]);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("--assembly", none.Error, StringComparison.Ordinal);
    }
}
