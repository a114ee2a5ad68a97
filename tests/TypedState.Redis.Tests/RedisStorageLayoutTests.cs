using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Tests.Redis;

/// <summary>
/// A store written by a driver of storage layout version 1 (no store marker, fixed names) or 2 (a marker, key spaces
/// of removed owners, every name under the store root) is upgraded when a driver opens it: each guild's names move
/// under the guild's root, and its records, tombstones, owner sets, agent sets and lock counters keep working; the
/// marker records layout 3. A store of a newer layout is refused before anything changes.
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
            Old(keys, "r", s_guild, "plan"), Old(keys, "r", s_guild, "gone"), Old(keys, "r", s_agent, "notes"), Old(keys, "i", s_guild),
            Old(keys, "t", s_guild), Old(keys, "i", s_agent), Old(keys, "ga", s_guild),
        };
        var movedNames = new RedisKey[]
        {
            keys.Record(s_guild, "plan"), keys.Record(s_guild, "gone"), keys.Record(s_agent, "notes"), keys.Index(s_guild),
            keys.Tombstones(s_guild), keys.Index(s_agent), keys.GuildAgents(s_guild.GuildIdOrEmpty),
        };

        await using var state = new RedisStateManager(new RedisStateDriverOptions { Connection = _server.Connection, KeyPrefix = prefix });

        // Everything layout 1 stored reads as before, moved under the guild's root, and the marker now says layout 3.
        Assert.Equal(("plan v3", 3L), Entry(await state.GetAsync<string>(s_guild, "plan")));
        Assert.Equal(("notes v5", 5L), Entry(await state.GetAsync<string>(s_agent, "notes")));
        Assert.Equal(("global v7", 7L), Entry(await state.GetAsync<string>(StateOwner.Global, "settings")));
        Assert.False((await state.GetAsync<string>(s_guild, "gone")).Exists);
        Assert.Equal(["plan"], await KeysAsync(state, s_guild));
        Assert.Equal([s_guild], await OwnersAsync(state, Scope.Guild));
        Assert.Equal([s_agent], await OwnersAsync(state, Scope.Agent));
        Assert.Equal("3", (string?)await database.HashGetAsync(keys.Store, "layout"));
        Assert.Equal(0, await database.KeyExistsAsync(oldNames));
        Assert.Equal(movedNames.Length, await database.KeyExistsAsync(movedNames));

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
        Assert.Equal(0, await database.KeyExistsAsync(movedNames));
        Assert.Equal(("global v7", 7L), Entry(await state.GetAsync<string>(StateOwner.Global, "settings")));
        Assert.True(await state.SetAsync(s_guild, "plan", "new") > 4);
    }

    [Fact]
    public async Task A_store_of_a_newer_layout_is_refused_and_left_unchanged()
    {
        var prefix = NewPrefix();
        var keys = new RedisKeys(prefix);
        var database = _server.Connection.GetDatabase();
        await database.HashSetAsync(keys.Store, [new("layout", 4), new("epoch", "from-the-future"), new("floor", 0)]);

        await using var state = new RedisStateManager(new RedisStateDriverOptions { Connection = _server.Connection, KeyPrefix = prefix });
        var error = await Assert.ThrowsAsync<StateException>(async () => await state.SetAsync(s_guild, "plan", "x"));

        Assert.Contains("storage layout version 4", error.Message, StringComparison.Ordinal);
        Assert.Contains(prefix, error.Message, StringComparison.Ordinal);
        Assert.Equal("4", (string?)await database.HashGetAsync(keys.Store, "layout"));
        Assert.False(await database.KeyExistsAsync(keys.Record(s_guild, "plan")));
    }

    [Fact]
    public async Task A_store_of_layout_2_with_removed_owners_a_timeline_and_queued_removals_is_moved_under_guild_roots()
    {
        var prefix = NewPrefix();
        var keys = new RedisKeys(prefix);
        var database = _server.Connection.GetDatabase();
        await WriteLayout2StoreAsync(database, keys);

        await using var state = new RedisStateManager(new RedisStateDriverOptions { Connection = _server.Connection, KeyPrefix = prefix });

        // The guild was removed once (space 4) and written again: its record reads from that space, under its root.
        Assert.Equal(("plan v12", 12L), Entry(await state.GetAsync<string>(s_guild, "plan")));
        Assert.Equal(("notes v5", 5L), Entry(await state.GetAsync<string>(s_agent, "notes")));
        Assert.Equal(("global v7", 7L), Entry(await state.GetAsync<string>(StateOwner.Global, "settings")));
        Assert.Equal([s_guild], await OwnersAsync(state, Scope.Guild));
        Assert.Equal([s_agent], await OwnersAsync(state, Scope.Agent));
        Assert.Equal("3", (string?)await database.HashGetAsync(keys.Store, "layout"));
        var root = keys.RootOf(s_guild);
        Assert.True(await database.KeyExistsAsync(root + "r4:" + RedisKeys.OwnerTag(s_guild) + ":plan"));
        Assert.Equal("1", (string?)await database.HashGetAsync(root + "e", "tl"));
        Assert.Equal(4, (long)await database.StringGetAsync(root + "sid"));

        // The removal queued under layout 2 moved to the guild's queue and is finished by the guild's next removal.
        Assert.Equal(1, await database.ListLengthAsync(root + "gc"));
        Assert.Equal(0, await database.KeyExistsAsync([Old(keys, "gc"), Old(keys, "o:guild"), Old(keys, "o:agent")]));

        // The timeline meta moved too, so writes keep adding entries and the guild reads as having a timeline.
        Assert.Equal(13, await state.SetAsync(s_guild, "plan", "plan v13", expectedVersion: 12));
        Assert.Equal(2, await database.HashLengthAsync(keys.Timeline("e", s_guild.GuildIdOrEmpty)));
        await state.RemoveGuildAsync(s_guild.GuildIdOrEmpty);
        Assert.False(await database.KeyExistsAsync(root + "gc"));
        Assert.False(await database.KeyExistsAsync(root + "r2:" + RedisKeys.OwnerTag(s_guild) + ":old"));
        Assert.False((await state.GetAsync<string>(s_guild, "plan")).Exists);
    }

    /// <summary>
    /// What a layout 2 driver left: the marker at layout 2 with a timeline started; the guild removed twice (its old
    /// space 2 still queued for deletion), now in space 4 with a record and a timeline of one entry; its agent in the
    /// first space; owner sets; all under the store root.
    /// </summary>
    private static async Task WriteLayout2StoreAsync(IDatabase database, RedisKeys keys)
    {
        string guild = RedisKeys.OwnerTag(s_guild), agent = RedisKeys.OwnerTag(s_agent);
        var root = keys.Root;
        await database.HashSetAsync(keys.Store, [new("layout", 2), new("epoch", "old-epoch"), new("floor", 0), new("seq", 20), new("tl", 1)]);
        await database.StringSetAsync(root + "sid", 4);
        await database.HashSetAsync(root + "m:" + guild, [new("s", 4), new("f", 11)]);
        await database.HashSetAsync(root + "r4:" + guild + ":plan", [new("v", "\"plan v12\""), new("n", 12)]);
        await database.SortedSetAddAsync(root + "i4:" + guild, "plan", 0);
        await database.HashSetAsync(root + "r2:" + guild + ":old", [new("v", "\"old\""), new("n", 3)]);
        await database.SortedSetAddAsync(root + "i2:" + guild, "old", 0);
        await database.ListRightPushAsync(root + "gc", "s\n2\n" + guild + "\n" + guild);
        await database.HashSetAsync(root + "r4.0:" + agent + ":notes", [new("v", "\"notes v5\""), new("n", 5)]);
        await database.SortedSetAddAsync(root + "i4.0:" + agent, "notes", 0);
        await database.SetAddAsync(root + "ga4:" + guild, agent);
        await database.HashSetAsync(Old(keys, "r", StateOwner.Global, "settings"), [new("v", "\"global v7\""), new("n", 7)]);
        await database.SortedSetAddAsync(Old(keys, "i", StateOwner.Global), "settings", 0);
        await database.SortedSetAddAsync(root + "o:guild", RedisKeys.OwnerMember(s_guild), 0);
        await database.SortedSetAddAsync(root + "o:agent", RedisKeys.OwnerMember(s_agent), 0);
        await database.HashSetAsync(root + "x:" + guild, [new("h", 7), new("fs", 0), new("rf", 0)]);
        await database.HashSetAsync(root + "xe:" + guild, "7", "s\n0\n12\n\n1\ng\n4\nplan\"plan v12\"");
    }

    /// <summary>A name of layout 1 or 2 (every name under the store root), in an owner's first key space.</summary>
    private static string Old(RedisKeys keys, string type, StateOwner? owner = null, string? key = null) =>
        keys.Root + type + (owner is { } o ? (type == "ga" ? ":" + RedisKeys.GuildTag(o.GuildIdOrEmpty) : ":" + RedisKeys.OwnerTag(o)) : string.Empty) + (key is null ? string.Empty : ":" + key);

    /// <summary>
    /// What a layout 1 driver left: record hashes (<c>v</c>, <c>n</c>), an index of live keys, a tombstone set,
    /// the guild's agent set of plain agent tags, the owner sets and a lock counter; no store marker.
    /// </summary>
    private static async Task WriteLayout1StoreAsync(IDatabase database, RedisKeys keys)
    {
        var agent = RedisKeys.OwnerTag(s_agent);
        await database.HashSetAsync(Old(keys, "r", s_guild, "plan"), [new("v", "\"plan v3\""), new("n", 3)]);
        await database.HashSetAsync(Old(keys, "r", s_guild, "gone"), [new("n", 2)]);
        await database.SortedSetAddAsync(Old(keys, "i", s_guild), "plan", 0);
        await database.SetAddAsync(Old(keys, "t", s_guild), "gone");
        await database.HashSetAsync(Old(keys, "r", s_agent, "notes"), [new("v", "\"notes v5\""), new("n", 5)]);
        await database.SortedSetAddAsync(Old(keys, "i", s_agent), "notes", 0);
        await database.SetAddAsync(Old(keys, "ga", s_guild), agent);
        await database.HashSetAsync(Old(keys, "r", StateOwner.Global, "settings"), [new("v", "\"global v7\""), new("n", 7)]);
        await database.SortedSetAddAsync(Old(keys, "i", StateOwner.Global), "settings", 0);
        await database.SortedSetAddAsync(Old(keys, "o:guild"), RedisKeys.OwnerMember(s_guild), 0);
        await database.SortedSetAddAsync(Old(keys, "o:agent"), RedisKeys.OwnerMember(s_agent), 0);
        await database.HashSetAsync(Old(keys, "l", s_guild), [new("#", 4), new("kjob", 4)]);
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
