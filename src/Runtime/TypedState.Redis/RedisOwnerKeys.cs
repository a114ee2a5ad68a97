using System.Text;
using StackExchange.Redis;

namespace TypedState.Redis;

/// <summary>
/// The names of one owner's keys (<see cref="RedisKeys"/>), built once: a record name is the cached UTF-8 bytes of
/// <c>{p}:r:&lt;owner&gt;:</c> as a <see cref="RedisKey"/> prefix plus the key string, which StackExchange.Redis writes
/// one after the other without joining them.
/// </summary>
internal sealed class RedisOwnerKeys
{
    private readonly byte[] _recordPrefix;

    public RedisOwnerKeys(RedisKeys keys, StateOwner owner)
    {
        Owner = owner;
        Tag = RedisKeys.OwnerTag(owner);
        RecordBase = keys.RecordBase(Tag);
        _recordPrefix = Encoding.UTF8.GetBytes(RecordBase);
        Index = keys.Index(Tag);
        Tombstones = keys.Tombstones(Tag);
        GuildAgents = keys.GuildAgents(owner.GuildIdOrEmpty);
        LockTokens = keys.LockTokens(Tag);
        HeldLocks = keys.HeldLocks(Tag);
    }

    public StateOwner Owner { get; }

    /// <summary>The owner as written in names (<see cref="RedisKeys.OwnerTag"/>).</summary>
    public string Tag { get; }

    /// <summary><c>{p}:r:&lt;owner&gt;:</c>, the start of every record name of the owner.</summary>
    public string RecordBase { get; }

    public RedisKey Index { get; }

    public RedisKey Tombstones { get; }

    /// <summary>The agent set of the owner's guild (used for agent owners).</summary>
    public RedisKey GuildAgents { get; }

    public RedisKey LockTokens { get; }

    public RedisKey HeldLocks { get; }

    /// <summary>The record of <paramref name="key"/>: <c>{p}:r:&lt;owner&gt;:&lt;key&gt;</c>, allocating nothing.</summary>
    public RedisKey Record(string key) => new RedisKey(key).Prepend(_recordPrefix);
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
