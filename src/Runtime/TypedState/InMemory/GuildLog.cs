using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.InMemory;

/// <summary>
/// One guild's timeline in the in-memory driver: its entries, the history of each record for reads as of a sequence,
/// its pause, its fork point and its forks. Only touched under the driver's write gate.
/// </summary>
internal sealed class GuildLog(string guildId, GuildLog? parent, long forkSequence)
{
    // Every version a record had in this timeline's own entries, in sequence order: what reads as of a sequence search.
    private readonly Dictionary<(StateOwner Owner, string Key), List<Change>> _history = [];

    // When each agent of the guild was removed (a removal hides the agent's earlier records, own or inherited).
    private readonly Dictionary<StateOwner, List<long>> _removals = [];

    // The sequence of every appended id, so that an id appended twice stores one entry.
    private readonly Dictionary<string, long> _appended = new(StringComparer.Ordinal);

    // Volatile: a detach clears it after the records are copied, and lock-free reads test it to skip the read-through.
    private volatile GuildLog? _parent = parent;

    public string GuildId { get; } = guildId;

    public GuildLog? Parent => _parent;

    public long ForkSequence { get; private set; } = forkSequence;

    public long Head { get; private set; } = forkSequence;

    public long? PausedAt { get; set; }

    public long RetainedFrom { get; private set; }

    public List<TimelineEntry> Entries { get; } = [];

    public SortedSet<string> Forks { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<long, ReadOnlyMemory<byte>> Snapshots { get; } = [];

    public SortedSet<long> Pins { get; } = [];

    public GuildTimeline Describe() => new(GuildId, Head, PausedAt, Parent?.GuildId, ForkSequence, RetainedFrom);

    /// <summary>Appends an entry at the next sequence and returns that sequence.</summary>
    public long Append(TimelineEntryKind kind, StateOwner owner, string key, long previousVersion, long version, ReadOnlyMemory<byte> value, Guid commitId, DateTimeOffset timestamp)
    {
        var sequence = ++Head;
        var recorded = kind == TimelineEntryKind.Append ? sequence : version;
        Entries.Add(new TimelineEntry(sequence, kind, owner, key, previousVersion, recorded, value, commitId, timestamp));
        switch (kind)
        {
            case TimelineEntryKind.Set or TimelineEntryKind.Delete:
                if (!_history.TryGetValue((owner, key), out var changes))
                {
                    changes = [];
                    _history.Add((owner, key), changes);
                }

                changes.Add(new Change(sequence, kind == TimelineEntryKind.Set ? (ReadOnlyMemory<byte>?)value : null, version));
                break;
            case TimelineEntryKind.RemoveOwner:
                if (!_removals.TryGetValue(owner, out var removals))
                {
                    removals = [];
                    _removals.Add(owner, removals);
                }

                removals.Add(sequence);
                break;
            case TimelineEntryKind.Append:
                _appended[key] = sequence;
                break;
        }

        return sequence;
    }

    /// <summary>The sequence an id was appended at, here or (up to the fork point) in the timelines this one was forked from.</summary>
    public long? AppendedAt(string id, long upTo)
    {
        if (_appended.TryGetValue(id, out var sequence) && sequence <= upTo)
        {
            return sequence;
        }

        return Parent?.AppendedAt(id, Math.Min(upTo, ForkSequence));
    }

    /// <summary>Whether the agent was removed in this timeline (its inherited records are hidden for good).</summary>
    public bool WasRemoved(StateOwner owner) => _removals.ContainsKey(owner);

    /// <summary>
    /// The record as of <paramref name="sequence"/> (already checked against the head and the horizon): a value, a
    /// tombstone (null value, with its version) or null when the timeline never held it.
    /// </summary>
    public Change? AsOf(StateOwner owner, string key, long sequence)
    {
        if (sequence > ForkSequence || Parent is null)
        {
            var removedAt = Latest(_removals.GetValueOrDefault(owner), sequence);
            if (_history.TryGetValue((owner, key), out var changes) && LatestChange(changes, sequence) is { } change && change.Sequence > removedAt)
            {
                return change;
            }

            if (removedAt > 0 || Parent is null)
            {
                return null;
            }
        }

        return Parent.AsOf(owner.InGuild(Parent.GuildId), key, Math.Min(sequence, ForkSequence));
    }

    /// <summary>The keys this timeline or those it reads through ever held for the owner, up to <paramref name="sequence"/>.</summary>
    public void CollectKeys(StateOwner owner, string prefix, long sequence, SortedSet<string> keys)
    {
        foreach (var (owned, changes) in _history)
        {
            if (owned.Owner == owner && owned.Key.StartsWith(prefix, StringComparison.Ordinal) && changes[0].Sequence <= sequence)
            {
                keys.Add(owned.Key);
            }
        }

        Parent?.CollectKeys(owner.InGuild(Parent.GuildId), prefix, Math.Min(sequence, ForkSequence), keys);
    }

    /// <summary>
    /// The owner's records whose key starts with <paramref name="prefix"/> as of <paramref name="sequence"/> (already
    /// checked), in key order, tombstones included (a null value, with its version).
    /// </summary>
    public IEnumerable<(string Key, Change Change)> RecordsAsOf(StateOwner owner, string prefix, long sequence)
    {
        var keys = new SortedSet<string>(StateKeyOrder.Comparer);
        CollectKeys(owner, prefix, sequence, keys);
        foreach (var key in keys)
        {
            if (AsOf(owner, key, sequence) is { } change)
            {
                yield return (key, change);
            }
        }
    }

    /// <summary>The owners (guild and agents, in this guild's terms) this timeline or those it reads through ever held records of.</summary>
    public void CollectOwners(long sequence, HashSet<StateOwner> owners)
    {
        foreach (var (owned, changes) in _history)
        {
            if (changes[0].Sequence <= sequence)
            {
                owners.Add(owned.Owner.InGuild(GuildId));
            }
        }

        if (Parent is not null)
        {
            var inherited = new HashSet<StateOwner>();
            Parent.CollectOwners(Math.Min(sequence, ForkSequence), inherited);
            foreach (var owner in inherited)
            {
                owners.Add(owner.InGuild(GuildId));
            }
        }
    }

    /// <summary>
    /// Drops what is not needed to read the state at <paramref name="horizon"/> and later: entries up to it, every
    /// record version but the last one at or below it, removals older than that, ids appended up to it.
    /// </summary>
    public void Prune(long horizon)
    {
        Entries.RemoveAll(entry => entry.Sequence <= horizon);
        foreach (var changes in _history.Values)
        {
            var kept = changes.FindLastIndex(change => change.Sequence <= horizon);
            if (kept > 0)
            {
                changes.RemoveRange(0, kept);
            }
        }

        foreach (var removals in _removals.Values)
        {
            var kept = removals.FindLastIndex(removal => removal <= horizon);
            if (kept > 0)
            {
                removals.RemoveRange(0, kept);
            }
        }

        foreach (var (id, sequence) in _appended.ToList())
        {
            if (sequence <= horizon)
            {
                _appended.Remove(id);
            }
        }

        foreach (var sequence in Snapshots.Keys.Where(sequence => sequence < horizon).ToList())
        {
            Snapshots.Remove(sequence);
        }

        RetainedFrom = horizon;
    }

    /// <summary>
    /// Detaches this fork (under the gate): the changes it read through its source as of the fork point become the
    /// first changes of its own history, keeping their sequences (all at or below the fork point, below its own), and
    /// the history before the fork point goes, as a prune there would drop it.
    /// </summary>
    public void Detach(IEnumerable<(StateOwner Owner, string Key, Change Change)> inherited)
    {
        var point = ForkSequence;
        foreach (var (owner, key, change) in inherited)
        {
            if (!_history.TryGetValue((owner, key), out var changes))
            {
                changes = [];
                _history.Add((owner, key), changes);
            }

            changes.Insert(0, change);
        }

        Pins.RemoveWhere(pin => pin < point);
        foreach (var sequence in Snapshots.Keys.Where(sequence => sequence < point).ToList())
        {
            Snapshots.Remove(sequence);
        }

        RetainedFrom = Math.Max(RetainedFrom, point);
        ForkSequence = 0;
        _parent = null;
    }

    private static long Latest(List<long>? sequences, long upTo)
    {
        var latest = 0L;
        foreach (var sequence in sequences ?? [])
        {
            if (sequence <= upTo)
            {
                latest = sequence;
            }
        }

        return latest;
    }

    private static Change? LatestChange(List<Change> changes, long upTo)
    {
        for (var i = changes.Count - 1; i >= 0; i--)
        {
            if (changes[i].Sequence <= upTo)
            {
                return changes[i];
            }
        }

        return null;
    }

    /// <summary>One version of a record: its value, or null for a delete.</summary>
    public sealed record Change(long Sequence, ReadOnlyMemory<byte>? Value, long Version);
}
