using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Tests.Redis;

/// <summary>
/// A store written by a driver of storage layout version 1 (no store marker, fixed names) is opened in place: its
/// records, tombstones, owner sets, agent sets and lock counters keep working, and the marker records layout 2. A
/// store of a newer layout is refused before anything changes.
/// </summary>
public sealed class RedisStorageLayoutTests : IAsyncLifetime
{
    private static readonly StateOwner s_guild = StateOwner.Guild("old guild");
    private static readonly StateOwner s_agent = StateOwner.Agent("old guild", "old agent");
    private readonly List<string> _prefixes = [];
    private RedisTestServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisTestServer.GetSharedAsync();

    public Task DisposeAsync() => _server.DeletePrefixesAsync(_prefixes);

    [Fact]
    public async Task A_store_of_layout_1_is_read_written_listed_and_removed_in_place()
    {
        var prefix = NewPrefix();
        var keys = new RedisKeys(prefix);
        var database = _server.Connection.GetDatabase();
        await WriteLayout1StoreAsync(database, keys);
        var oldNames = new RedisKey[]
        {
            keys.Record(RedisKeys.OwnerTag(s_guild), "plan"), keys.Record(RedisKeys.OwnerTag(s_guild), "gone"),
            keys.Record(RedisKeys.OwnerTag(s_agent), "notes"), keys.Index(RedisKeys.OwnerTag(s_guild)),
            keys.Tombstones(RedisKeys.OwnerTag(s_guild)), keys.Index(RedisKeys.OwnerTag(s_agent)), keys.GuildAgents(s_guild.GuildIdOrEmpty),
        };

        await using var state = new RedisStateManager(new RedisStateDriverOptions { Connection = _server.Connection, KeyPrefix = prefix });

        // Everything layout 1 stored reads as before, and the marker now says layout 2.
        Assert.Equal(("plan v3", 3L), Entry(await state.GetAsync<string>(s_guild, "plan")));
        Assert.Equal(("notes v5", 5L), Entry(await state.GetAsync<string>(s_agent, "notes")));
        Assert.Equal(("global v7", 7L), Entry(await state.GetAsync<string>(StateOwner.Global, "settings")));
        Assert.False((await state.GetAsync<string>(s_guild, "gone")).Exists);
        Assert.Equal(["plan"], await KeysAsync(state, s_guild));
        Assert.Equal([s_guild], await OwnersAsync(state, Scope.Guild));
        Assert.Equal([s_agent], await OwnersAsync(state, Scope.Agent));
        Assert.Equal("2", (string?)await database.HashGetAsync(keys.Store, "layout"));

        // Versions continue from the stored ones, the tombstone's included; tokens from the stored counter.
        Assert.Equal(4, await state.SetAsync(s_guild, "plan", "plan v4", expectedVersion: 3));
        Assert.Equal(3, await state.SetAsync(s_guild, "gone", "back", expectedVersion: 0));
        await using (var held = await state.AcquireLockAsync(s_guild, "job", TimeSpan.FromMinutes(1), TimeSpan.Zero))
        {
            Assert.True(held.FencingToken > 4);
        }

        // Removing the guild removes what layout 1 wrote, its agents found through the old agent set.
        await state.RemoveGuildAsync(s_guild.GuildIdOrEmpty);

        Assert.False((await state.GetAsync<string>(s_guild, "plan")).Exists);
        Assert.False((await state.GetAsync<string>(s_agent, "notes")).Exists);
        Assert.Empty(await OwnersAsync(state, Scope.Agent));
        Assert.Equal(0, await database.KeyExistsAsync(oldNames));
        Assert.Equal(("global v7", 7L), Entry(await state.GetAsync<string>(StateOwner.Global, "settings")));
        Assert.True(await state.SetAsync(s_guild, "plan", "new") > 4);
    }

    [Fact]
    public async Task A_store_of_a_newer_layout_is_refused_and_left_unchanged()
    {
        var prefix = NewPrefix();
        var keys = new RedisKeys(prefix);
        var database = _server.Connection.GetDatabase();
        await database.HashSetAsync(keys.Store, [new("layout", 3), new("epoch", "from-the-future"), new("floor", 0)]);

        await using var state = new RedisStateManager(new RedisStateDriverOptions { Connection = _server.Connection, KeyPrefix = prefix });
        var error = await Assert.ThrowsAsync<StateException>(async () => await state.SetAsync(s_guild, "plan", "x"));

        Assert.Contains("storage layout version 3", error.Message, StringComparison.Ordinal);
        Assert.Contains(prefix, error.Message, StringComparison.Ordinal);
        Assert.Equal("3", (string?)await database.HashGetAsync(keys.Store, "layout"));
        Assert.False(await database.KeyExistsAsync(keys.Record(RedisKeys.OwnerTag(s_guild), "plan")));
    }

    /// <summary>
    /// What a layout 1 driver left: record hashes (<c>v</c>, <c>n</c>), an index of live keys, a tombstone set,
    /// the guild's agent set of plain agent tags, the owner sets and a lock counter; no store marker.
    /// </summary>
    private static async Task WriteLayout1StoreAsync(IDatabase database, RedisKeys keys)
    {
        string guild = RedisKeys.OwnerTag(s_guild), agent = RedisKeys.OwnerTag(s_agent), global = RedisKeys.OwnerTag(StateOwner.Global);
        await database.HashSetAsync(keys.Record(guild, "plan"), [new("v", "\"plan v3\""), new("n", 3)]);
        await database.HashSetAsync(keys.Record(guild, "gone"), [new("n", 2)]);
        await database.SortedSetAddAsync(keys.Index(guild), "plan", 0);
        await database.SetAddAsync(keys.Tombstones(guild), "gone");
        await database.HashSetAsync(keys.Record(agent, "notes"), [new("v", "\"notes v5\""), new("n", 5)]);
        await database.SortedSetAddAsync(keys.Index(agent), "notes", 0);
        await database.SetAddAsync(keys.GuildAgents(s_guild.GuildIdOrEmpty), agent);
        await database.HashSetAsync(keys.Record(global, "settings"), [new("v", "\"global v7\""), new("n", 7)]);
        await database.SortedSetAddAsync(keys.Index(global), "settings", 0);
        await database.SortedSetAddAsync(keys.Owners(Scope.Guild), RedisKeys.OwnerMember(s_guild), 0);
        await database.SortedSetAddAsync(keys.Owners(Scope.Agent), RedisKeys.OwnerMember(s_agent), 0);
        await database.HashSetAsync(keys.LockTokens(guild), [new("#", 4), new("kjob", 4)]);
    }

    private static (string?, long) Entry(StateEntry<string> entry) => (entry.Value, entry.Version);

    private static async Task<List<string>> KeysAsync(IStateManager state, StateOwner owner)
    {
        var keys = new List<string>();
        await foreach (var entry in state.ListAsync<string>(owner, string.Empty))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }

    private static async Task<List<StateOwner>> OwnersAsync(StateManager state, Scope scope)
    {
        var owners = new List<StateOwner>();
        await foreach (var owner in state.Driver.ListOwnersAsync(scope, CancellationToken.None))
        {
            owners.Add(owner);
        }

        return owners;
    }

    private string NewPrefix()
    {
        var prefix = RedisTestServer.NewKeyPrefix("layout");
        _prefixes.Add(prefix);
        return prefix;
    }
}
