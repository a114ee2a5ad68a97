using TypedState.Storage;

namespace TypedState.InMemory;

// The read-through of a fork: a record the fork has not written (nor lost with its agent) is its source's as of the
// fork point. Reads of forks take the write gate; guilds that are not forks keep the lock-free path.
public sealed partial class InMemoryStateDriver
{
    /// <summary>The timeline of a fork the owner belongs to, or null (the common, lock-free case).</summary>
    private GuildLog? ForkOf(StateOwner owner) =>
        owner.Scope != Scope.Global && !_timelines.IsEmpty && _timelines.TryGetValue(owner.GuildIdOrEmpty, out var log) && log.Parent is not null
            ? log
            : null;

    /// <summary>The timeline of the owner's guild, or null.</summary>
    private GuildLog? LogOf(StateOwner owner) =>
        owner.Scope != Scope.Global && _timelines.TryGetValue(owner.GuildIdOrEmpty, out var log) ? log : null;

    /// <summary>
    /// The record a write finds (under the gate): the owner's own record or tombstone, or for a fork what it reads
    /// through its source; null when absent everywhere.
    /// </summary>
    private GuildLog.Change? Current(StateOwner owner, string key)
    {
        if (_owners.TryGetValue(owner, out var records) && records.TryGetValue(key, out var slot))
        {
            return new GuildLog.Change(0, slot.Value, slot.Version);
        }

        return ForkOf(owner) is { } fork && !fork.WasRemoved(owner)
            ? fork.Parent!.AsOf(owner.InGuild(fork.Parent.GuildId), key, fork.ForkSequence)
            : null;
    }

    private StoredRecord? ReadFork(StateOwner owner, string key)
    {
        lock (_writeGate)
        {
            return Current(owner, key) is { Value: { } value } current ? new StoredRecord(key, value, current.Version) : null;
        }
    }

    private List<StoredRecord> ListFork(GuildLog fork, StateOwner owner, string prefix)
    {
        lock (_writeGate)
        {
            var keys = new SortedSet<string>(StateKeyOrder.Comparer);
            if (_owners.TryGetValue(owner, out var records))
            {
                keys.UnionWith(records.Keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal)));
            }

            if (!fork.WasRemoved(owner))
            {
                fork.Parent!.CollectKeys(owner.InGuild(fork.Parent.GuildId), prefix, fork.ForkSequence, keys);
            }

            var matches = new List<StoredRecord>();
            foreach (var key in keys)
            {
                if (Current(owner, key) is { Value: { } value } current)
                {
                    matches.Add(new StoredRecord(key, value, current.Version));
                }
            }

            return matches;
        }
    }

    /// <summary>The owners of <paramref name="scope"/> in forks that hold a live record, their own or read through.</summary>
    private List<StateOwner> ForkOwners(Scope scope)
    {
        var owners = new List<StateOwner>();
        if (scope == Scope.Global || _timelines.IsEmpty)
        {
            return owners;
        }

        lock (_writeGate)
        {
            foreach (var fork in _timelines.Values.Where(static log => log.Parent is not null))
            {
                var candidates = new HashSet<StateOwner>(_owners.Keys.Where(owner => owner.Scope != Scope.Global && owner.GuildIdOrEmpty == fork.GuildId));
                fork.Parent!.CollectOwners(fork.ForkSequence, candidates);
                foreach (var candidate in candidates)
                {
                    var owner = candidate.InGuild(fork.GuildId);
                    if (owner.Scope == scope && !owners.Contains(owner) && ListFork(fork, owner, string.Empty).Count > 0)
                    {
                        owners.Add(owner);
                    }
                }
            }
        }

        return owners;
    }

    /// <summary>The highest version the owner (a guild: all its owners) reads through its fork's source.</summary>
    private static long HighestInherited(GuildLog log, StateOwner owner)
    {
        if (log.Parent is null || log.WasRemoved(owner))
        {
            return 0;
        }

        var owners = new HashSet<StateOwner>();
        if (owner.Scope == Scope.Guild)
        {
            log.Parent.CollectOwners(log.ForkSequence, owners);
        }
        else
        {
            owners.Add(owner);
        }

        var parent = log.Parent;
        return owners
            .SelectMany(candidate => parent.RecordsAsOf(candidate.InGuild(parent.GuildId), string.Empty, log.ForkSequence))
            .Select(record => record.Change.Version)
            .DefaultIfEmpty()
            .Max();
    }
}
