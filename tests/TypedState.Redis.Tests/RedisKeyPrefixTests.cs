using System.Globalization;
using StackExchange.Redis;
using TypedState.Redis;
using Xunit.Abstractions;
using static TypedState.Tests.Fixtures.StateListings;

namespace TypedState.Tests.Redis;

/// <summary>
/// Several applications share one server through their key prefixes, and listing stays an index range read: the
/// server's own command statistics show no <c>KEYS</c> and no <c>SCAN</c>, and every script runs by its SHA.
/// </summary>
public sealed class RedisKeyPrefixTests(ITestOutputHelper output)
{
    private static readonly StateOwner s_agent = StateOwner.Agent("guild-1", "agent-1");
    private static readonly StateOwner s_guild = StateOwner.Guild("guild-1");

    [Fact]
    public async Task Applications_with_different_key_prefixes_on_one_server_do_not_see_each_others_state()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);

        // "app" is a prefix of the other two names: prefixes must not nest.
        await using var app = new RedisStateManager(server.Configuration, "app");
        await using var appA = new RedisStateManager(server.Configuration, "app-a");
        await using var appB = new RedisStateManager(server.Configuration, "app-b");
        var apps = new[] { app, appA, appB };
        for (var i = 0; i < apps.Length; i++)
        {
            foreach (var owner in new[] { s_agent, s_guild, StateOwner.Global })
            {
                await apps[i].SetAsync(owner, "task:1", $"app {i}");
                await apps[i].SetAsync(owner, $"only-{i}", i);
            }
        }

        for (var i = 0; i < apps.Length; i++)
        {
            foreach (var owner in new[] { s_agent, s_guild, StateOwner.Global })
            {
                var entry = await apps[i].GetAsync<string>(owner, "task:1");
                Assert.Equal($"app {i}", entry.Value);
                Assert.Equal(1, entry.Version);
                Assert.Equal(["only-" + i.ToString(CultureInfo.InvariantCulture), "task:1"], await KeysAsync(apps[i], owner, string.Empty));
                Assert.Equal(["task:1"], await KeysAsync(apps[i], owner, "task:"));
            }
        }

        // Removing a guild, deleting a key and taking locks in one application leaves the others untouched.
        await appA.RemoveGuildAsync("guild-1");
        Assert.True(await app.DeleteAsync(StateOwner.Global, "task:1"));
        // Both applications hold the same lock at once (a zero wait would fail if either saw the other's).
        await using var lockA = await appA.AcquireLockAsync(s_guild, "task:1", TimeSpan.FromMinutes(1), TimeSpan.Zero);
        await using var lockB = await appB.AcquireLockAsync(s_guild, "task:1", TimeSpan.FromMinutes(1), TimeSpan.Zero);
        Assert.Null(await appA.TryAcquireLockAsync(s_guild, "task:1", TimeSpan.FromMinutes(1)));

        Assert.Empty(await KeysAsync(appA, s_agent, string.Empty));
        Assert.Empty(await KeysAsync(appA, s_guild, string.Empty));
        Assert.Equal(["only-1", "task:1"], await KeysAsync(appA, StateOwner.Global, string.Empty));
        Assert.Equal(["only-2", "task:1"], await KeysAsync(appB, s_agent, string.Empty));
        Assert.Equal(["only-2", "task:1"], await KeysAsync(appB, s_guild, string.Empty));
        Assert.Equal(["only-0"], await KeysAsync(app, StateOwner.Global, string.Empty));
        Assert.Equal("app 2", (await appB.GetAsync<string>(StateOwner.Global, "task:1")).Value);

        // Owner listing reads each application's own owner sets.
        Assert.Empty(await OwnersAsync(appA.Driver, Scope.Agent));
        Assert.Empty(await OwnersAsync(appA.Driver, Scope.Guild));
        foreach (var other in new[] { app, appB })
        {
            Assert.Equal([s_agent], await OwnersAsync(other.Driver, Scope.Agent));
            Assert.Equal([s_guild], await OwnersAsync(other.Driver, Scope.Guild));
        }

        foreach (var any in apps)
        {
            Assert.Equal([StateOwner.Global], await OwnersAsync(any.Driver, Scope.Global));
        }

        // The server's statistics: listings above never used KEYS (owner listing scans for each guild root's owner
        // sets with SCAN, which matches its prefix's roots only), and scripts ran as EVALSHA.
        var stats = await CommandStatsAsync(server);
        output.WriteLine($"Server command statistics (calls): {Describe(stats)}");
        Assert.False(stats.ContainsKey("keys"), "The driver sent KEYS");
        Assert.True(stats.GetValueOrDefault("evalsha") > 20, $"Expected scripts to run by SHA; stats: {Describe(stats)}");
        Assert.True(
            stats.GetValueOrDefault("eval") <= 7 * apps.Length,
            $"Each script should cross the wire at most once per connection; stats: {Describe(stats)}");

        // Every key of every application lies under its own store root {prefix}: or one of its guild roots
        // {prefix|guild tag}:, and the root is the name's hash tag, so a guild's names share one cluster slot.
        using var inspector = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");
        var names = new List<string>();
        await foreach (var key in inspector.GetServer(server.Configuration).KeysAsync(pattern: "*"))
        {
            names.Add(key.ToString());
        }

        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            var prefix = new[] { "app", "app-a", "app-b" }.Single(p => name.StartsWith("{" + p + "}:", StringComparison.Ordinal) || name.StartsWith("{" + p + "|", StringComparison.Ordinal));
            var root = name[..(name.IndexOf('}', StringComparison.Ordinal) + 1)];
            Assert.Equal(inspector.HashSlot(root), inspector.HashSlot(name));
            Assert.True(root == "{" + prefix + "}" || root == "{" + prefix + "|" + RedisKeys.GuildTag(s_guild.GuildIdOrEmpty) + "}", name);
        }
    }

    /// <summary>Calls per command from <c>INFO commandstats</c> (lines like <c>cmdstat_get:calls=3,usec=…</c>).</summary>
    private static async Task<Dictionary<string, long>> CommandStatsAsync(RedisTestServer server)
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");
        var info = (string)(await connection.GetDatabase().ExecuteAsync("INFO", "commandstats"))!;
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line["cmdstat_".Length..colon];
            var calls = line[(colon + 1)..].Split(',')[0];
            stats[name] = long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
        }

        return stats;
    }

    private static string Describe(Dictionary<string, long> stats) =>
        string.Join(", ", stats.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
}
