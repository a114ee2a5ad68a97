using System.Text;
using System.Text.Json;
using TypedState.Postgres;
using TypedState.Redis;
using TypedState.Sqlite;

namespace TypedState.Tool.Tests;

/// <summary>
/// <c>typedstate quarantine</c>, <c>quarantine list</c> and <c>quarantine restore</c> run as a process against stores
/// the test fills through the library: SQLite, PostgreSQL and Redis, plain and --json, refusals and bad input.
/// </summary>
public sealed class QuarantineToolTests : IDisposable
{
    private const string Reason = "not JSON since the 2026 outage";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public Task A_record_is_quarantined_listed_counted_and_restored_on_sqlite() =>
        RoundTripAsync(() => new SqliteStateManager(_temp.ConnectionString()), ["--driver", "sqlite", "--connection", _temp.ConnectionString()]);

    [Fact]
    public async Task A_record_is_quarantined_listed_counted_and_restored_on_postgres()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("toolq");
        try
        {
            await RoundTripAsync(() => new PostgresStateManager(server.ConnectionString, schema), ["--driver", "postgres", "--connection", server.ConnectionString, "--schema", schema]);
        }
        finally
        {
            await server.DropSchemasAsync([schema]);
        }
    }

    [Fact]
    public async Task A_record_is_quarantined_listed_counted_and_restored_on_redis()
    {
        var server = await RedisTestServer.GetSharedAsync();
        var prefix = RedisTestServer.NewKeyPrefix("toolq");
        try
        {
            await RoundTripAsync(() => new RedisStateManager(server.Configuration, prefix), ["--driver", "redis", "--connection", server.Configuration, "--key-prefix", prefix]);
        }
        finally
        {
            await server.DeletePrefixesAsync([prefix]);
        }
    }

    [Fact]
    public async Task Bad_input_is_a_clear_message_and_a_non_zero_exit_code_and_changes_nothing()
    {
        await using (var state = new SqliteStateManager(_temp.ConnectionString()))
        {
            await StoreFill.FillAsync(state);
        }

        string[] store = ["--driver", "sqlite", "--connection", _temp.ConnectionString()];
        var unknownId = await ToolProcess.RunAsync(_temp.Path, ["quarantine", "restore", "0123456789abcdef-9", .. store]);
        Assert.True(unknownId.ExitCode == 3, unknownId.ToString());
        Assert.Contains("No quarantined record has the id '0123456789abcdef-9'", unknownId.Error, StringComparison.Ordinal);

        var unknownKey = await ToolProcess.RunAsync(_temp.Path, ["quarantine", "restore", "--guild", "g1", "--key", "Board", .. store]);
        Assert.True(unknownKey.ExitCode == 3, unknownKey.ToString());
        Assert.Contains("No quarantined record came from this owner and key. [scope Guild, guild 'g1', key 'Board']", unknownKey.Error, StringComparison.Ordinal);

        var absent = await ToolProcess.RunAsync(_temp.Path, ["quarantine", "--guild", "g1", "--key", "nothing", "--reason", "x", .. store]);
        Assert.True(absent.ExitCode == 3, absent.ToString());
        Assert.Contains("[scope Guild, guild 'g1', key 'nothing']", absent.Error, StringComparison.Ordinal);

        var stale = await ToolProcess.RunAsync(_temp.Path, ["quarantine", "--guild", "g1", "--key", "Board", "--reason", "x", "--expected-version", "7", .. store]);
        Assert.True(stale.ExitCode == 4, stale.ToString());
        Assert.Contains("expected version 7, found version 1. [scope Guild, guild 'g1', key 'Board']", stale.Error, StringComparison.Ordinal);

        foreach (var usage in (string[][])[["quarantine", "--guild", "g1", "--reason", "x"], ["quarantine", "--guild", "g1", "--key", "Board"], ["quarantine", "restore"], ["quarantine", "restore", "some-1", "--global", "--key", "k"]])
        {
            var result = await ToolProcess.RunAsync(_temp.Path, [.. usage, .. store]);
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.StartsWith("typedstate: ", result.Error, StringComparison.Ordinal);
        }

        // Nothing moved: the record is where it was and the quarantine is empty.
        var board = await ToolProcess.RunAsync(_temp.Path, ["get", "Board", "--guild", "g1", "--json", .. store]);
        Assert.Equal(3, board.Json().GetProperty("value").GetProperty("Pins").GetInt32());
        Assert.Equal(0, (await ToolProcess.RunAsync(_temp.Path, ["quarantine", "list", "--json", .. store])).Json().GetArrayLength());
    }

    [Fact]
    public async Task The_quarantine_commands_have_help_with_an_example()
    {
        foreach (var command in (string[][])[["quarantine"], ["quarantine", "list"], ["quarantine", "restore"]])
        {
            var help = await ToolProcess.RunAsync(_temp.Path, [.. command, "--help"]);
            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Contains($"Examples:{Environment.NewLine}  typedstate {string.Join(' ', command)}", help.Output, StringComparison.Ordinal);
            Assert.All(help.Output.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 80, $"Wider than 80 columns: '{line}'"));
        }
    }

    /// <summary>The operator's round trip on one store: move the corrupt record, see it, fail to restore it over a new one, restore it.</summary>
    private async Task RoundTripAsync(Func<StateManager> open, string[] store)
    {
        await using (var state = open())
        {
            await StoreFill.FillAsync(state);
        }

        Task<ToolResult> RunAsync(params string[] arguments) => ToolProcess.RunAsync(_temp.Path, [.. arguments, .. store]);

        var moved = await RunAsync("quarantine", "--guild", "g1", "--agent", "a1", "--key", "broken", "--reason", Reason);
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Matches(@"^Quarantined agent:g1/a1 key 'broken' version 1 as [0-9a-f]{16}-1\.", moved.Output);

        // --json: the record's origin, version, reason and exact bytes.
        var listed = await RunAsync("quarantine", "list", "--json", "--values");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var entry = Assert.Single(listed.Json().EnumerateArray().ToList());
        var id = entry.GetProperty("id").GetString()!;
        Assert.Equal(("Agent", "g1", "a1", "broken", 1L, Reason), (entry.GetProperty("scope").GetString(), entry.GetProperty("guild").GetString(), entry.GetProperty("agent").GetString(), entry.GetProperty("key").GetString(), entry.GetProperty("version").GetInt64(), entry.GetProperty("reason").GetString()));
        Assert.Equal("{not json", Encoding.UTF8.GetString(entry.GetProperty("valueBase64").GetBytesFromBase64()));
        Assert.True(DateTimeOffset.UtcNow - entry.GetProperty("quarantinedAt").GetDateTimeOffset() < TimeSpan.FromHours(1));

        // Plain: two tables within 80 columns, no colours.
        var plain = await RunAsync("quarantine", "list");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Contains("\n1 quarantined record(s).", plain.Output, StringComparison.Ordinal);
        Assert.Matches($@"{id}\s+agent:g1/a1\s+broken\s+1\s+20\d\d-\d\d-\d\d \d\d:\d\dZ", plain.Output);
        Assert.Matches($@"{id}\s+{Reason}", plain.Output);
        Assert.All(plain.Output.Split('\n'), line => Assert.True(line.Length <= 80, $"Wider than 80 columns: '{line}'"));
        Assert.DoesNotContain("\u001b[", plain.Output, StringComparison.Ordinal);

        // The application's view: the record is gone from its key, and status counts it apart.
        Assert.Equal(3, (await RunAsync("get", "broken", "--guild", "g1", "--agent", "a1")).ExitCode);
        var status = await RunAsync("status", "--json");
        Assert.Equal((0L, 1L), (status.Json().GetProperty("corruptCount").GetInt64(), status.Json().GetProperty("quarantinedCount").GetInt64()));
        Assert.Equal([1L, 1L, 4L], status.Json().GetProperty("scopes").EnumerateArray().Select(s => s.GetProperty("records").GetInt64()));
        Assert.Contains("Quarantined records: 1 (see 'typedstate quarantine list')", (await RunAsync("status")).Output, StringComparison.Ordinal);
        Assert.Equal(["Settings"], (await RunAsync("list", "--global", "--json")).Json().EnumerateArray().Select(r => r.GetProperty("key").GetString()));

        // Restoring over a record written since is refused, naming it, and changes nothing.
        await using (var state = open())
        {
            await StoreFill.WriteAsync(state, StoreFill.AgentOne, "broken", "{\"fresh\":true}");
        }

        var refused = await RunAsync("quarantine", "restore", id);
        Assert.True(refused.ExitCode == 4, refused.ToString());
        Assert.Contains("Not restored: agent:g1/a1 key 'broken' holds a record now (version 3)", refused.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await RunAsync("quarantine", "list", "--json")).Json().GetArrayLength());

        // Once the key is empty again, it comes back byte for byte, named by owner and key.
        await using (var state = open())
        {
            Assert.True(await state.DeleteAsync(StoreFill.AgentOne, "broken"));
        }

        var restored = await RunAsync("quarantine", "restore", "--guild", "g1", "--agent", "a1", "--key", "broken", "--json");
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal((id, "broken", 5L), (restored.Json().GetProperty("id").GetString(), restored.Json().GetProperty("key").GetString(), restored.Json().GetProperty("version").GetInt64()));
        var back = await RunAsync("get", "broken", "--guild", "g1", "--agent", "a1", "--json");
        Assert.Equal("{not json", Encoding.UTF8.GetString(back.Json().GetProperty("valueBase64").GetBytesFromBase64()));
        Assert.Equal(JsonValueKind.Array, (await RunAsync("quarantine", "list", "--json")).Json().ValueKind);
        Assert.Equal(0, (await RunAsync("quarantine", "list", "--json")).Json().GetArrayLength());
    }
}
