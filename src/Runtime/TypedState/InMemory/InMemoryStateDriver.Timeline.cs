using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.InMemory;

// Guild timelines: starting, pausing, forking and pruning them, reads as of a sequence, and the read-through of a
// fork to its source. Every timeline is changed under the write gate; reads of forks take it too.
public sealed partial class InMemoryStateDriver
{
    private readonly ConcurrentDictionary<string, GuildLog> _timelines = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> StartTimelineAsync(string guildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(guildId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            if (_timelines.TryGetValue(guildId, out var existing))
            {
                return ValueTask.FromResult(existing.Describe());
            }

            // What the guild already holds becomes the first entries, so that its state reads as of every sequence.
            var log = new GuildLog(guildId, null, 0);
            var timestamp = _clock.GetUtcNow();
            var owners = _owners.Keys.Where(owner => owner.Scope != Scope.Global && owner.GuildIdOrEmpty == guildId).ToList();
            owners.Sort(CompareOwners);
            foreach (var owner in owners)
            {
                var records = _owners[owner].Where(static pair => pair.Value.Value is not null).ToList();
                records.Sort(static (a, b) => StateKeyOrder.Comparer.Compare(a.Key, b.Key));
                foreach (var (key, slot) in records)
                {
                    log.Append(TimelineEntryKind.Set, owner, key, 0, slot.Version, slot.Value!.Value, Guid.Empty, timestamp);
                }
            }

            _timelines[guildId] = log;
            return ValueTask.FromResult(log.Describe());
        }
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline?> ReadTimelineAsync(string guildId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            return ValueTask.FromResult(_timelines.TryGetValue(guildId, out var log) ? log.Describe() : null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<TimelineEntry> ReadEntriesAsync(string guildId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<TimelineEntry> entries;
        lock (_writeGate)
        {
            var log = Started(guildId);
            CheckRetained(log, afterSequence);
            entries = [];
            CollectEntries(log, guildId, afterSequence, long.MaxValue, entries);
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<StoredRecord?> ReadAsOfAsync(StateOwner owner, string key, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = Started(TimelineGuild(owner));
            CheckReadable(log, sequence);
            return ValueTask.FromResult(log.AsOf(owner, key, sequence) is { Value: { } value } change ? new StoredRecord(key, value, change.Version) : (StoredRecord?)null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsOfAsync(StateOwner owner, string prefix, long sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var records = new List<StoredRecord>();
        lock (_writeGate)
        {
            var log = Started(TimelineGuild(owner));
            CheckReadable(log, sequence);
            foreach (var (key, change) in log.RecordsAsOf(owner, prefix, sequence))
            {
                if (change.Value is { } value)
                {
                    records.Add(new StoredRecord(key, value, change.Version));
                }
            }
        }

        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> PauseAsync(string guildId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = Started(guildId);
            log.PausedAt ??= log.Head;
            return ValueTask.FromResult(log.Describe());
        }
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> ResumeAsync(string guildId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = Started(guildId);
            log.PausedAt = null;
            return ValueTask.FromResult(log.Describe());
        }
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> ForkAsync(string sourceGuildId, long atSequence, string newGuildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(newGuildId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var source = Started(sourceGuildId);
            CheckReadable(source, atSequence);
            if (_timelines.ContainsKey(newGuildId)
                || _owners.Any(pair => pair.Key.Scope != Scope.Global && pair.Key.GuildIdOrEmpty == newGuildId && !pair.Value.IsEmpty))
            {
                throw new StateTimelineException(
                    TimelineFailure.GuildExists,
                    newGuildId,
                    atSequence,
                    $"Guild '{sourceGuildId}' was not forked: the target guild '{newGuildId}' already holds state or a timeline.");
            }

            var fork = new GuildLog(newGuildId, source, atSequence);
            _timelines[newGuildId] = fork;
            source.Forks.Add(newGuildId);
            return ValueTask.FromResult(fork.Describe());
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<GuildTimeline> ListForksAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<GuildTimeline> forks;
        lock (_writeGate)
        {
            forks = [.. Started(guildId).Forks.Select(id => _timelines[id].Describe())];
        }

        foreach (var fork in forks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return fork;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> PruneAsync(string guildId, long horizon, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = Started(guildId);
            if (horizon > log.Head)
            {
                throw BeyondHead(log, horizon);
            }

            // A fork reads its source as of its fork point, and a pin keeps its replay point: those states stay readable.
            foreach (var fork in log.Forks)
            {
                horizon = Math.Min(horizon, _timelines[fork].ForkSequence);
            }

            if (log.Pins.Count > 0)
            {
                horizon = Math.Min(horizon, log.Pins.Min);
            }

            if (horizon > log.RetainedFrom)
            {
                log.Prune(horizon);
            }

            return ValueTask.FromResult(log.Describe());
        }
    }

    /// <summary>
    /// Refuses a batch that writes to a paused guild, or appends to a guild without a timeline (under the gate).
    /// </summary>
    private CommitResult? RefusedByTimeline(IReadOnlyList<StateWrite> writes)
    {
        if (_timelines.IsEmpty)
        {
            return writes.Any(static write => write.Kind == StateWriteKind.Append) ? CommitResult.TimelineRefused(FirstAppend(writes), -1) : null;
        }

        for (var i = 0; i < writes.Count; i++)
        {
            var log = LogOf(writes[i].Owner);
            if (log?.PausedAt is { } pausedAt)
            {
                return CommitResult.TimelineRefused(i, pausedAt);
            }

            if (log is null && writes[i].Kind == StateWriteKind.Append)
            {
                return CommitResult.TimelineRefused(i, -1);
            }
        }

        return null;
    }

    private static int FirstAppend(IReadOnlyList<StateWrite> writes)
    {
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i].Kind == StateWriteKind.Append)
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>After an owner's removal (under the gate): a removed guild's timeline goes; an agent's removal is an entry.</summary>
    private void ForgetOrLogRemoval(GuildLog? log, StateOwner owner)
    {
        if (log is null)
        {
            return;
        }

        if (owner.Scope == Scope.Guild)
        {
            _timelines.TryRemove(log.GuildId, out _);
            log.Parent?.Forks.Remove(log.GuildId);
            return;
        }

        log.Append(TimelineEntryKind.RemoveOwner, owner, string.Empty, 0, 0, ReadOnlyMemory<byte>.Empty, Guid.Empty, _clock.GetUtcNow());
    }

    /// <summary>A fork's entries up to its fork point are its source's, shown under the fork's guild id.</summary>
    private static void CollectEntries(GuildLog log, string asGuild, long after, long upTo, List<TimelineEntry> entries)
    {
        if (log.Parent is not null && after < log.ForkSequence)
        {
            CollectEntries(log.Parent, asGuild, after, Math.Min(upTo, log.ForkSequence), entries);
        }

        foreach (var entry in log.Entries)
        {
            if (entry.Sequence > after && entry.Sequence <= upTo)
            {
                entries.Add(entry.Owner.GuildIdOrEmpty == asGuild ? entry : entry with { Owner = entry.Owner.InGuild(asGuild) });
            }
        }
    }

    private GuildLog Started(string guildId) =>
        _timelines.TryGetValue(guildId, out var log)
            ? log
            : throw new StateTimelineException(TimelineFailure.NotStarted, guildId, null, $"Guild '{guildId}' has no timeline: it was never started, or the guild was removed.");

    private static string TimelineGuild(StateOwner owner) =>
        owner.Scope == Scope.Global
            ? throw new ArgumentException("Global state belongs to no guild and has no timeline.", nameof(owner))
            : owner.GuildIdOrEmpty;

    /// <summary>Refuses a sequence beyond the head, or one whose state was pruned (here or, through a fork, in its source).</summary>
    private static void CheckReadable(GuildLog log, long sequence)
    {
        if (sequence > log.Head)
        {
            throw BeyondHead(log, sequence);
        }

        CheckRetained(log, sequence);
    }

    private static void CheckRetained(GuildLog log, long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        for (var timeline = log; ; timeline = timeline.Parent)
        {
            if (sequence < timeline.RetainedFrom)
            {
                throw new StateTimelineException(
                    TimelineFailure.Pruned,
                    log.GuildId,
                    sequence,
                    $"Sequence {sequence} of guild '{log.GuildId}' was pruned: its state can be read from sequence {timeline.RetainedFrom} on.");
            }

            // Above its fork point a fork reads its source only at the fork point, which a prune never drops.
            if (timeline.Parent is null || sequence > timeline.ForkSequence)
            {
                return;
            }
        }
    }

    private static StateTimelineException BeyondHead(GuildLog log, long sequence) =>
        new(TimelineFailure.BeyondHead, log.GuildId, sequence, $"Sequence {sequence} of guild '{log.GuildId}' is beyond its head {log.Head}.");

    /// <summary>A guild's owners in listing order: the guild owner, then its agents by id.</summary>
    private static int CompareOwners(StateOwner a, StateOwner b) =>
        a.Scope == b.Scope ? StateKeyOrder.Comparer.Compare(a.AgentIdOrEmpty, b.AgentIdOrEmpty) : a.Scope == Scope.Guild ? -1 : 1;
}
