using StackExchange.Redis;
using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// The Redis driver on the run's three-master cluster (<see cref="RedisTestCluster"/>): guilds spread over the masters,
/// and a transaction that would span slots is refused in a cluster only.
/// </summary>
public sealed class RedisClusterTests : IAsyncLifetime
{
    private RedisTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await RedisTestCluster.GetSharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_records_of_thirty_guilds_land_on_all_three_masters_each_guild_in_the_slot_of_its_hash_tag()
    {
        var prefix = RedisTestServer.NewKeyPrefix("spread");
        await using var state = new RedisStateManager(new RedisStateDriverOptions { Connection = _cluster.Connection, KeyPrefix = prefix });
        var guilds = Enumerable.Range(0, 30).Select(i => $"guild-{i:00}").ToList();
        foreach (var guild in guilds)
        {
            await state.SetAsync(StateOwner.Guild(guild), "plan", guild);
            await state.SetAsync(StateOwner.Agent(guild, "agent"), "notes", guild);
        }

        var any = _cluster.Connection.GetServer(_cluster.Nodes[0].Configuration);
        var masters = (await RedisClusterNode.ReadAsync(any)).Where(static n => n.IsMaster && !n.Failed).ToList();
        Assert.Equal(3, masters.Count);

        // Each guild's keys, found on the master serving the slot CLUSTER KEYSLOT gives for its root's hash tag.
        var keys = new RedisKeys(prefix);
        var holders = new Dictionary<string, string>();
        foreach (var master in masters)
        {
            var server = _cluster.Connection.GetServer(master.Endpoint);
            await foreach (var name in server.KeysAsync(pattern: "{" + prefix + "|*"))
            {
                var text = (string)name!;
                var guild = guilds.Single(g => text.StartsWith(keys.RootOf(StateOwner.Guild(g)), StringComparison.Ordinal));
                var slot = await RedisClusterNode.KeySlotAsync(server, text);
                Assert.Equal(await RedisClusterNode.KeySlotAsync(server, keys.RootOf(StateOwner.Guild(guild))), slot);
                Assert.True(master.Serves(slot), $"{text} (slot {slot}) is on {master.Endpoint}, which does not serve that slot");
                Assert.Equal(master.Endpoint, holders.TryAdd(guild, master.Endpoint) ? master.Endpoint : holders[guild]);
            }
        }

        Assert.Equal(guilds.Order(StringComparer.Ordinal), holders.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(masters.Select(static m => m.Endpoint).Order(), holders.Values.Distinct().Order());

        // Owner listing gathers them from every master.
        var listed = new List<StateOwner>();
        await foreach (var owner in state.Driver.ListOwnersAsync(Scope.Guild, CancellationToken.None))
        {
            listed.Add(owner);
        }

        Assert.Equal(guilds.Select(StateOwner.Guild), listed);
    }

    [Fact]
    public async Task A_transaction_spanning_slots_is_refused_with_a_typed_error_and_applies_nothing()
    {
        var prefix = RedisTestServer.NewKeyPrefix("cross");
        await using var driver = new RedisStateDriver(new RedisStateDriverOptions { Connection = _cluster.Connection, KeyPrefix = prefix });
        StateOwner guild = StateOwner.Guild("g1"), other = StateOwner.Guild("g2"), agent = StateOwner.Agent("g1", "a");
        static StateWrite Set(StateOwner owner, string key) => new(owner, key, StateWriteKind.Set, "1"u8.ToArray(), null);

        var withGlobal = await Assert.ThrowsAsync<CrossSlotTransactionException>(async () =>
            await driver.CommitAsync([Set(guild, "k"), Set(StateOwner.Global, "k")], [], CommitId.New(), CancellationToken.None));
        var twoGuilds = await Assert.ThrowsAsync<CrossSlotTransactionException>(async () =>
            await driver.CommitAsync([Set(guild, "k"), Set(agent, "k"), Set(other, "k")], [], CommitId.New(), CancellationToken.None));

        Assert.Equal([guild, StateOwner.Global], withGlobal.Owners);
        Assert.Equal((StateOwner?)StateOwner.Global, withGlobal.Owner);
        Assert.Equal([guild, other], twoGuilds.Owners);
        Assert.Equal(("k", StateWriteOutcome.NotApplied), (twoGuilds.Key, twoGuilds.Outcome));
        Assert.Contains("guild 'g1' and guild 'g2'", twoGuilds.Message, StringComparison.Ordinal);
        Assert.Contains("not applied", twoGuilds.Message, StringComparison.Ordinal);
        foreach (var owner in new[] { guild, other, agent, StateOwner.Global })
        {
            Assert.Null(await driver.ReadAsync(owner, "k", CancellationToken.None));
        }

        // A guild with its agents is one slot: one atomic script.
        var applied = await driver.CommitAsync([Set(guild, "k"), Set(agent, "k")], [], CommitId.New(), CancellationToken.None);
        Assert.True(applied.Succeeded);

        // Through the manager the refusal keeps its type.
        await using var state = new StateManager(new RedisStateDriver(new RedisStateDriverOptions { Connection = _cluster.Connection, KeyPrefix = prefix }), ownsDriver: true);
        await Assert.ThrowsAsync<CrossSlotTransactionException>(async () =>
        {
            await using var transaction = await state.BeginTransactionAsync();
            await transaction.SetAsync(other, "k", 1);
            await transaction.SetAsync(StateOwner.Global, "k", 1);
            await transaction.CommitAsync();
        });
        Assert.False((await state.GetAsync<int>(other, "k")).Exists);
    }

    [Fact]
    public async Task A_single_server_still_applies_a_transaction_over_global_state_and_two_guilds()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("single");
        var driver = drivers.CreateDriver();
        StateWrite[] writes =
        [
            new(StateOwner.Guild("g1"), "k", StateWriteKind.Set, "1"u8.ToArray(), null),
            new(StateOwner.Guild("g2"), "k", StateWriteKind.Set, "1"u8.ToArray(), null),
            new(StateOwner.Global, "k", StateWriteKind.Set, "1"u8.ToArray(), null),
        ];

        var result = await driver.CommitAsync(writes, [], CommitId.New(), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal([1L, 1L, 1L], result.Versions);
    }
}
