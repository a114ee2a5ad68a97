using StackExchange.Redis;
using TypedState.Redis;
using Xunit.Abstractions;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// A cluster of its own per test, changed under running writers: a guild's slot migrated to another master, and a
/// master killed so that its replica takes over. The writers keep an honest account (see <see cref="RedisClusterWriters"/>).
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

    [Fact]
    public async Task A_master_killed_under_writers_fails_over_to_its_replica_and_every_outcome_is_reported_honestly()
    {
        await using var cluster = await RedisTestCluster.StartAsync();
        var prefix = RedisTestServer.NewKeyPrefix("failover");
        await using var state = new RedisStateManager(new RedisStateDriverOptions { Configuration = cluster.Configuration + ",connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000", KeyPrefix = prefix });
        var owners = Enumerable.Range(0, 6).Select(static i => StateOwner.Guild($"guild-{i}")).ToList();
        using var writers = new RedisClusterWriters(state, owners);
        writers.Start();
        try
        {
            await KillMasterUnderWritersAsync(cluster, prefix, owners, writers);
        }
        finally
        {
            await writers.StopAsync();
            output.WriteLine(writers.ToString());
        }

        // No acknowledged write vanished unreported, none was applied twice: each record holds its writer's count, or
        // (asynchronous replication: the replica may lack the last commits) the guild's next commit reports the loss
        // and applies nothing. Reads do not check the epoch, so the commit is the judge.
        Assert.Equal(0, writers.SilentLosses);
        var reported = 0;
        for (var i = 0; i < owners.Count; i++)
        {
            var entry = await state.GetAsync<long>(owners[i], "counter");
            try
            {
                await state.SetAsync(owners[i], "counter", entry.Value + 1, expectedVersion: entry.Version);
                if (writers.Losses[i] == 0)
                {
                    Assert.Equal(writers.Acknowledged[i], entry.Value);
                }
                else
                {
                    // The writer was told its data was lost (and its write's outcome unknown): fewer may remain.
                    Assert.InRange(entry.Value, 0, writers.Acknowledged[i]);
                    reported++;
                }
            }
            catch (StateDriverException ex) when (ex.InnerException is RedisDataLossException)
            {
                Assert.Equal(StateWriteOutcome.NotApplied, ex.Outcome);
                Assert.True(entry.Value < writers.Acknowledged[i], $"{owners[i]}: loss reported, yet all {writers.Acknowledged[i]} writes are there");
                reported++;
            }
        }

        output.WriteLine($"guilds whose loss the failover's next commit reported: {reported}");
    }

    private async Task KillMasterUnderWritersAsync(RedisTestCluster cluster, string prefix, List<StateOwner> owners, RedisClusterWriters writers)
    {
        await writers.WaitForMoreAsync(300, TimeSpan.FromSeconds(30));

        // Kill the master of the first guild's slot; its replica is promoted once the others see it fail.
        var admin = cluster.Connection;
        var any = admin.GetServer(cluster.Nodes[0].Configuration);
        var slot = await RedisClusterNode.KeySlotAsync(any, new RedisKeys(prefix).RootOf(owners[0]));
        var master = (await RedisClusterNode.ReadAsync(any)).Single(n => n.IsMaster && n.Serves(slot));
        var victim = cluster.Nodes.Single(n => n.Configuration == master.Endpoint);
        await victim.KillAsync();

        // No operator step: the surviving masters mark the dead one failed after the node timeout and its replica wins
        // the election on its own; polled until a live node sees it serving the slot, and until the cluster is ok again.
        var witness = admin.GetServer(cluster.Nodes.First(n => n != victim).Configuration);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        RedisClusterNode? promoted;
        while ((promoted = (await RedisClusterNode.ReadAsync(witness)).SingleOrDefault(n => n.IsMaster && !n.Failed && n.Serves(slot) && n.Id != master.Id)) is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "No replica took over the killed master's slots within 60 s.");
            await Task.Delay(20);
        }

        await cluster.WaitUntilOkAsync(TimeSpan.FromSeconds(60), cluster.Nodes.Where(n => n != victim));

        output.WriteLine($"{master.Endpoint} killed, {promoted.Endpoint} promoted: {writers}");
        Assert.NotEqual(master.Id, promoted.Id);
        await writers.WaitForMoreAsync(300, TimeSpan.FromSeconds(60));
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
