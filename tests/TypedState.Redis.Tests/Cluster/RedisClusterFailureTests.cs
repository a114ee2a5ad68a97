using StackExchange.Redis;
using TypedState.Redis;
using Xunit.Abstractions;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// A cluster of its own, changed under running writers: a guild's slot migrated to another master. The writers keep an
/// honest account (see <see cref="RedisClusterWriters"/>).
/// </summary>
public sealed class RedisClusterFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Migrating_a_guilds_slot_while_writers_run_loses_and_duplicates_nothing()
    {
        await using var cluster = await RedisTestCluster.StartAsync();
        var prefix = RedisTestServer.NewKeyPrefix("migrate");
        await using var state = new RedisStateManager(new RedisStateDriverOptions { Configuration = cluster.Configuration, KeyPrefix = prefix });
        var owners = new[] { StateOwner.Guild("moving"), StateOwner.Agent("moving", "a1"), StateOwner.Agent("moving", "a2"), StateOwner.Guild("staying") };
        using var writers = new RedisClusterWriters(state, owners);
        writers.Start();
        await writers.WaitForMoreAsync(200, TimeSpan.FromSeconds(30));

        // The guild's slot and its master; another master takes it.
        var admin = cluster.Connection;
        var root = new RedisKeys(prefix).RootOf(owners[0]);
        var any = admin.GetServer(cluster.Nodes[0].Configuration);
        var slot = await RedisClusterNode.KeySlotAsync(any, root);
        var nodes = await RedisClusterNode.ReadAsync(any);
        var source = nodes.Single(n => n.IsMaster && n.Serves(slot));
        var target = nodes.First(n => n.IsMaster && n.Id != source.Id);
        IServer from = admin.GetServer(source.Endpoint), to = admin.GetServer(target.Endpoint);
        await to.ExecuteAsync("CLUSTER", "SETSLOT", slot, "IMPORTING", source.Id);
        await from.ExecuteAsync("CLUSTER", "SETSLOT", slot, "MIGRATING", target.Id);

        // Once migrating, no script can create a name on the source; the names other than the root markers move in one
        // MIGRATE, then the markers (which route the scripts), so a script sees all of a guild's names on one node.
        var names = ((RedisResult[])(await from.ExecuteAsync("CLUSTER", "GETKEYSINSLOT", slot, 100_000))!).Select(static n => (string)n!).ToList();
        var markers = names.Where(static n => n.EndsWith("}:e", StringComparison.Ordinal)).ToList();
        var host = target.Endpoint.Split(':');
        await MigrateAsync(from, host, [.. names.Except(markers)]);
        await writers.WaitForMoreAsync(20, TimeSpan.FromSeconds(30));
        await MigrateAsync(from, host, markers);
        Assert.Empty((RedisResult[])(await from.ExecuteAsync("CLUSTER", "GETKEYSINSLOT", slot, 10))!);
        foreach (var node in nodes.Where(static n => n.IsMaster))
        {
            await admin.GetServer(node.Endpoint).ExecuteAsync("CLUSTER", "SETSLOT", slot, "NODE", target.Id);
        }

        await writers.WaitForMoreAsync(200, TimeSpan.FromSeconds(30));
        await writers.StopAsync();

        // Every acknowledged increment is there once: each record holds exactly its writer's count.
        output.WriteLine($"{names.Count} names moved from {source.Endpoint} to {target.Endpoint}; {writers.Total} writes acknowledged, {writers.NotApplied} refused, {writers.Unknown} unknown");
        Assert.Equal(0, writers.SilentLosses);
        Assert.All(writers.Losses, static lost => Assert.Equal(0, lost));
        for (var i = 0; i < owners.Length; i++)
        {
            Assert.Equal(writers.Acknowledged[i], (await state.GetAsync<long>(owners[i], "counter")).Value);
        }

        Assert.Equal(1L, (long)await to.ExecuteAsync("EXISTS", root + "e"));
    }

    private static async Task MigrateAsync(IServer from, string[] host, List<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        object[] arguments = [host[0], host[1], string.Empty, 0, 10_000, "KEYS", .. names];
        await from.ExecuteAsync("MIGRATE", arguments);
    }
}
