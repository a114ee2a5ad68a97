using System.Text;
using StackExchange.Redis;

namespace TypedState.Redis;

/// <summary>
/// One owner's names and the pieces the scripts build names from (<see cref="RedisKeys"/>), built once. Every name
/// lies under the owner's root, so in a cluster every script about the owner runs on its guild's node. Scripts
/// resolve an agent's or guild's key space on the server, so only global records are named here: a record name is the
/// cached UTF-8 bytes of <c>{p}:r:global:</c> as a <see cref="RedisKey"/> prefix plus the key string, which
/// StackExchange.Redis writes one after the other without joining them.
/// </summary>
internal sealed class RedisOwnerKeys
{
    private readonly byte[] _recordPrefix;

    public RedisOwnerKeys(RedisKeys keys, StateOwner owner)
    {
        Owner = owner;
        var tag = RedisKeys.OwnerTag(owner);

        // Encoded once: StackExchange.Redis writes a byte array as it is.
        Tag = Encoding.UTF8.GetBytes(tag);
        GuildTag = owner.Scope == Scope.Global ? RedisValue.EmptyString : Encoding.UTF8.GetBytes(RedisKeys.GuildTag(owner.GuildIdOrEmpty));
        Member = Encoding.UTF8.GetBytes(RedisKeys.OwnerMember(owner));
        Root = keys.RootOf(owner);
        Marker = RedisKeys.Marker(Root);
        MarkerKeys = [Marker];
        RecordBase = keys.RecordBase(owner);
        _recordPrefix = Encoding.UTF8.GetBytes(RecordBase);
        Index = keys.Index(owner);
        LockTokens = keys.LockTokens(owner);
        HeldLocks = keys.HeldLocks(owner);
        LockOwners = RedisKeys.LockOwners(Root);
        LockOwnerMember = Encoding.UTF8.GetBytes(RedisKeys.LockOwnerMember(owner));
        AcquireLockKeys = [LockTokens, HeldLocks, LockOwners];
        LockKeys = [LockTokens, HeldLocks];
        Metas = owner.Scope switch
        {
            Scope.Agent => [keys.Meta(StateOwner.Guild(owner.GuildIdOrEmpty)), keys.Meta(owner)],
            Scope.Guild => [keys.Meta(owner)],
            _ => [],
        };
        CommitIds = Encoding.UTF8.GetBytes(Root + "c:");
        OneWriteKeys = OneWriteKeysOf(keys, owner);
        ScopeLetter = owner.Scope switch
        {
            Scope.Agent => "a",
            Scope.Guild => "g",
            _ => RedisValue.EmptyString,
        };
    }

    public StateOwner Owner { get; }

    /// <summary>The root of the owner's names (<see cref="RedisKeys.RootOf(StateOwner)"/>): its guild's, or the store root.</summary>
    public string Root { get; }

    /// <summary>The marker of <see cref="Root"/>; the key scripts about the owner are routed by.</summary>
    public RedisKey Marker { get; }

    /// <summary>The KEYS of a script routed by <see cref="Marker"/> alone. Shared: not to be modified.</summary>
    public RedisKey[] MarkerKeys { get; }

    /// <summary>The set of the root's owners with locks.</summary>
    public RedisKey LockOwners { get; }

    /// <summary>The owner as a member of <see cref="LockOwners"/> (<see cref="RedisKeys.LockOwnerMember"/>).</summary>
    public RedisValue LockOwnerMember { get; }

    /// <summary>The KEYS of the lock acquire script. Shared: not to be modified.</summary>
    public RedisKey[] AcquireLockKeys { get; }

    /// <summary>The KEYS of the lock renew and release scripts. Shared: not to be modified.</summary>
    public RedisKey[] LockKeys { get; }

    /// <summary>The owner as written in names (<see cref="RedisKeys.OwnerTag"/>).</summary>
    public RedisValue Tag { get; }

    /// <summary>The owner's guild as written in names; empty for global state.</summary>
    public RedisValue GuildTag { get; }

    /// <summary>The owner as a member of its scope's owner set (<see cref="RedisKeys.OwnerMember"/>); empty for global.</summary>
    public RedisValue Member { get; }

    /// <summary><c>{p}:r:&lt;owner&gt;:</c>, the start of every record name of the owner in its first key space.</summary>
    public string RecordBase { get; }

    /// <summary>The owner's index in its first key space (for global state, its only one).</summary>
    public RedisKey Index { get; }

    public RedisKey LockTokens { get; }

    public RedisKey HeldLocks { get; }

    /// <summary>
    /// The metas that decide the owner's key space: its guild's, and for an agent its own. While none exists the
    /// owner was never removed and its names are those of the first key space. Not to be modified.
    /// </summary>
    public RedisKey[] Metas { get; }

    /// <summary>
    /// The KEYS of <see cref="RedisScripts.CommitOne"/> for the owner: marker, guild meta, agent meta, index,
    /// tombstones, owner set, guild agent set, guild timeline meta, in the owner's first key space (the marker stands
    /// in for the names an owner does not have). Shared: not to be modified.
    /// </summary>
    public RedisKey[] OneWriteKeys { get; }

    /// <summary><c>{p}:c:</c>, the start of the name of a commit id applied under <see cref="Root"/>.</summary>
    public RedisValue CommitIds { get; }

    /// <summary><see cref="RecordBase"/> as the bytes <see cref="RedisScripts.CommitOne"/> puts before a key.</summary>
    public RedisValue RecordBaseValue => _recordPrefix;

    /// <summary>The owner's scope as <see cref="RedisScripts.CommitOne"/> takes it: <c>a</c>, <c>g</c>, or empty for global.</summary>
    public RedisValue ScopeLetter { get; }

    /// <summary>
    /// The record of <paramref name="key"/> in the owner's first key space, <c>{p}:r:&lt;owner&gt;:&lt;key&gt;</c>,
    /// allocating nothing: the name of a global record (global state is never removed).
    /// </summary>
    public RedisKey Record(string key) => new RedisKey(key).Prepend(_recordPrefix);

    private RedisKey[] OneWriteKeysOf(RedisKeys keys, StateOwner owner)
    {
        if (owner.Scope == Scope.Global)
        {
            return [Marker, Marker, Marker, Index, keys.Tombstones(owner), Marker, Marker, Marker];
        }

        var guild = owner.GuildIdOrEmpty;
        var guildMeta = keys.Meta(StateOwner.Guild(guild));
        var timeline = keys.Timeline(string.Empty, guild);
        return owner.Scope == Scope.Agent
            ? [Marker, guildMeta, keys.Meta(owner), Index, keys.Tombstones(owner), RedisKeys.Owners(Root, Scope.Agent), keys.GuildAgents(guild), timeline]
            : [Marker, guildMeta, guildMeta, Index, keys.Tombstones(owner), RedisKeys.Owners(Root, Scope.Guild), Marker, timeline];
    }
}

/// <summary>
/// A small, bounded cache of <see cref="RedisOwnerKeys"/>: one slot per hash bucket, the last owner seen in it wins.
/// Lock-free (a slot is replaced whole), and a busy owner stays cached while many others come and go.
/// </summary>
internal sealed class RedisOwnerKeysCache(RedisKeys keys)
{
    private const int Slots = 256;

    private readonly RedisOwnerKeys?[] _slots = new RedisOwnerKeys?[Slots];

    public RedisOwnerKeys For(StateOwner owner)
    {
        ref var slot = ref _slots[owner.GetHashCode() & (Slots - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && cached.Owner.Equals(owner))
        {
            return cached;
        }

        var built = new RedisOwnerKeys(keys, owner);
        Volatile.Write(ref slot, built);
        return built;
    }
}
