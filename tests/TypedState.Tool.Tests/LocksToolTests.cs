using TypedState.Postgres;
using TypedState.Redis;
using TypedState.Sqlite;

namespace TypedState.Tool.Tests;

/// <summary><c>typedstate locks</c> against stores whose locks the test takes through the library, plain and --json.</summary>
public sealed class LocksToolTests : IDisposable
{
    private static readonly TimeSpan s_lease = TimeSpan.FromMinutes(5);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Locks_lists_held_locks_of_a_sqlite_store_with_owner_key_token_lease_and_holder()
    {
        await using var state = new SqliteStateManager(_temp.ConnectionString(), new StateManagerOptions { LockHolder = "worker-7" });
        string[] store = ["--driver", "sqlite", "--connection", _temp.ConnectionString()];
        var held = await TakeLocksAsync(state);

        var json = await ToolProcess.RunAsync(_temp.Path, ["locks", "--json", .. store]);
        AssertListedAsJson(json, held);

        var plain = await ToolProcess.RunAsync(_temp.Path, ["locks", .. store]);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Matches(@"Agent\s+g1/a1\s+Notes\s+\d+\s+\dm \d+s\s+worker-7", plain.Output);
        Assert.Matches(@"Guild\s+g1\s+\(whole owner\)", plain.Output);
        Assert.Matches(@"Global\s+-\s+Settings", plain.Output);
        Assert.Contains("3 lock(s) held.", plain.Output, StringComparison.Ordinal);
        Assert.All(plain.Output.Split('\n'), line => Assert.True(line.Length <= 80, $"Wider than 80 columns: '{line}'"));
        Assert.DoesNotContain("\u001b[", plain.Output, StringComparison.Ordinal);

        // Filters: a guild (its own locks and its agents'), one agent, one scope.
        Assert.Equal(["Agent", "Guild"], Scopes(await ToolProcess.RunAsync(_temp.Path, ["locks", "--guild", "g1", "--json", .. store])));
        Assert.Equal(["Agent"], Scopes(await ToolProcess.RunAsync(_temp.Path, ["locks", "--guild", "g1", "--agent", "a1", "--json", .. store])));
        Assert.Equal(["Global"], Scopes(await ToolProcess.RunAsync(_temp.Path, ["locks", "--scope", "global", "--json", .. store])));
        Assert.Equal(["Global"], Scopes(await ToolProcess.RunAsync(_temp.Path, ["locks", "--global", "--json", .. store])));

        // Released locks are gone; a bad scope is a usage error.
        await held[0].ReleaseAsync();
        Assert.Equal(["Guild", "Global"], Scopes(await ToolProcess.RunAsync(_temp.Path, ["locks", "--json", .. store])));
        var badScope = await ToolProcess.RunAsync(_temp.Path, ["locks", "--scope", "planet", .. store]);
        Assert.Equal(1, badScope.ExitCode);
        Assert.Contains("Unknown scope 'planet'", badScope.Error, StringComparison.Ordinal);

        var help = await ToolProcess.RunAsync(_temp.Path, "locks", "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("Only locks of this guild", help.Output, StringComparison.Ordinal);
        Assert.Contains("typedstate locks --guild support --json", help.Output, StringComparison.Ordinal);
        Assert.All(help.Output.Split('\n'), line => Assert.True(line.Length <= 80, $"Wider than 80 columns: '{line}'"));
    }

    [Fact]
    public async Task Locks_lists_held_locks_of_a_postgres_store()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("toollocks");
        try
        {
            await using var state = new PostgresStateManager(
                new PostgresStateDriverOptions { ConnectionString = server.ConnectionString, Schema = schema },
                new StateManagerOptions { LockHolder = "worker-7" });
            var held = await TakeLocksAsync(state);
            AssertListedAsJson(await ToolProcess.RunAsync(_temp.Path, "locks", "--json", "--driver", "postgres", "--connection", server.ConnectionString, "--schema", schema), held);
        }
        finally
        {
            await server.DropSchemasAsync([schema]);
        }
    }

    [Fact]
    public async Task Locks_lists_held_locks_of_a_redis_store()
    {
        var server = await RedisTestServer.GetSharedAsync();
        var prefix = RedisTestServer.NewKeyPrefix("toollocks");
        try
        {
            await using var state = new RedisStateManager(
                new RedisStateDriverOptions { Configuration = server.Configuration, KeyPrefix = prefix },
                new StateManagerOptions { LockHolder = "worker-7" });
            var held = await TakeLocksAsync(state);
            AssertListedAsJson(await ToolProcess.RunAsync(_temp.Path, "locks", "--json", "--driver", "redis", "--connection", server.Configuration, "--key-prefix", prefix), held);
        }
        finally
        {
            await server.DeletePrefixesAsync([prefix]);
        }
    }

    /// <summary>A key lock of an agent, the whole-owner lock of its guild and a key lock of global state.</summary>
    private static async Task<IStateLock[]> TakeLocksAsync(StateManager state) =>
    [
        await state.AcquireLockAsync(StoreFill.AgentOne, "Notes", s_lease, TimeSpan.Zero),
        await state.AcquireLockAsync(StateOwner.Guild(StoreFill.Guild), null, s_lease, TimeSpan.Zero),
        await state.AcquireLockAsync(StateOwner.Global, "Settings", s_lease, TimeSpan.Zero),
    ];

    private static void AssertListedAsJson(ToolResult result, IStateLock[] held)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var listed = result.Json().EnumerateArray().ToList();
        Assert.Equal(held.Length, listed.Count);
        foreach (var expected in held)
        {
            var found = Assert.Single(listed, l => l.GetProperty("scope").GetString() == expected.Owner.Scope.ToString());
            Assert.Equal(expected.Owner.GuildId, found.TryGetProperty("guild", out var guild) ? guild.GetString() : null);
            Assert.Equal(expected.Owner.AgentId, found.TryGetProperty("agent", out var agent) ? agent.GetString() : null);
            Assert.Equal(expected.Key, found.GetProperty("key").GetString());
            Assert.Equal(expected.FencingToken, found.GetProperty("token").GetInt64());
            Assert.Equal("worker-7", found.GetProperty("holder").GetString());
            var expiresAt = found.GetProperty("expiresAt").GetDateTimeOffset();
            Assert.InRange(expiresAt, expected.ExpiresAt.AddMilliseconds(-1), expected.ExpiresAt.AddMilliseconds(1));
        }
    }

    private static List<string?> Scopes(ToolResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. result.Json().EnumerateArray().Select(l => l.GetProperty("scope").GetString())];
    }
}
