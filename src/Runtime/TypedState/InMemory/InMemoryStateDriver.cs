using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.InMemory;

/// <summary>
/// A fast, non-persistent driver for tests and prototypes. Reads are lock-free; batches are applied under one
/// lock so that every batch is atomic with respect to every other. Guild timelines (<see cref="ITimelineDriver"/>)
/// are kept beside the records (InMemoryStateDriver.Timeline.cs); a fork's reads take the lock too.
/// </summary>
public sealed partial class InMemoryStateDriver : IStateDriver, ITimelineDriver, IDisposable
{
    private readonly ConcurrentDictionary<StateOwner, ConcurrentDictionary<string, Slot>> _owners = new();
    private readonly Dictionary<StateOwner, OwnerLocks> _locks = [];
    private readonly Lock _writeGate = new();
    private readonly TimeProvider _clock;
    private readonly CommitMemory _commits;

    // The highest version removed with an owner of each guild: records created later in the guild start above it.
    private readonly Dictionary<string, long> _floors = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates an empty store; lock leases and the retention of commit ids are measured with
    /// <paramref name="timeProvider"/> (the system clock by default).
    /// </summary>
    public InMemoryStateDriver(TimeProvider? timeProvider = null)
    {
        _clock = timeProvider ?? TimeProvider.System;
        _commits = new CommitMemory(_clock);
    }

    /// <inheritdoc />
    public string Name => "in-memory";

    /// <inheritdoc />
    public ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (ForkOf(owner) is not null)
        {
            return new ValueTask<StoredRecord?>(ReadFork(owner, key));
        }

        if (_owners.TryGetValue(owner, out var records) && records.TryGetValue(key, out var slot) && slot.Value is { } value)
        {
            return new ValueTask<StoredRecord?>(new StoredRecord(key, value, slot.Version));
        }

        return new ValueTask<StoredRecord?>((StoredRecord?)null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var matches = new List<StoredRecord>();
        if (ForkOf(owner) is { } fork)
        {
            matches.AddRange(ListFork(fork, owner, prefix));
        }
        else if (_owners.TryGetValue(owner, out var records))
        {
            foreach (var (key, slot) in records)
            {
                if (slot.Value is { } value && key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    matches.Add(new StoredRecord(key, value, slot.Version));
                }
            }
        }

        matches.Sort(static (a, b) => StateKeyOrder.Comparer.Compare(a.Key, b.Key));
        foreach (var record in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var owners = new List<StateOwner>();
        foreach (var (owner, records) in _owners)
        {
            if (owner.Scope == scope && ForkOf(owner) is null && records.Values.Any(static slot => slot.Value is not null))
            {
                owners.Add(owner);
            }
        }

        owners.AddRange(ForkOwners(scope));

        owners.Sort(static (a, b) =>
        {
            var byGuild = StateKeyOrder.Comparer.Compare(a.GuildIdOrEmpty, b.GuildIdOrEmpty);
            return byGuild != 0 ? byGuild : StateKeyOrder.Comparer.Compare(a.AgentIdOrEmpty, b.AgentIdOrEmpty);
        });
        foreach (var owner in owners)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return owner;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes, acceptAppend: true);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            if (_commits.Find(commitId) is { } remembered)
            {
                return ValueTask.FromResult(CommitResult.Success(remembered));
            }

            for (var i = 0; i < fences.Count; i++)
            {
                var newest = NewestCoveringToken(fences[i]);
                if (newest > fences[i].Token)
                {
                    return ValueTask.FromResult(CommitResult.FencedOut(i, newest));
                }
            }

            if (RefusedByTimeline(writes) is { } refused)
            {
                return ValueTask.FromResult(refused);
            }

            // Check every condition first; apply only when all hold.
            for (var i = 0; i < writes.Count; i++)
            {
                var live = Current(writes[i].Owner, writes[i].Key) is { Value: not null } current ? current.Version : 0;
                if (!writes[i].IsSatisfiedBy(live))
                {
                    return ValueTask.FromResult(CommitResult.Conflict(i, live));
                }
            }

            var versions = new long[writes.Count];
            var timestamp = _clock.GetUtcNow();
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                var log = LogOf(write.Owner);
                if (write.Kind == StateWriteKind.Append)
                {
                    versions[i] = log!.AppendedAt(write.Key, log.Head)
                        ?? log.Append(TimelineEntryKind.Append, write.Owner, write.Key, 0, 0, write.Value, commitId.Value, timestamp);
                    continue;
                }

                var current = Current(write.Owner, write.Key);
                var records = _owners.GetOrAdd(write.Owner, static _ => new ConcurrentDictionary<string, Slot>(StringComparer.Ordinal));
                switch (write.Kind)
                {
                    case StateWriteKind.Set:
                        var version = (current?.Version ?? Floor(write.Owner)) + 1;
                        records[write.Key] = new Slot(write.Value, version);
                        versions[i] = version;
                        log?.Append(TimelineEntryKind.Set, write.Owner, write.Key, current?.Value is null ? 0 : current.Version, version, write.Value, commitId.Value, timestamp);
                        break;
                    case StateWriteKind.Delete:
                        if (current?.Value is not null)
                        {
                            // A tombstone keeps the version so that a re-created key never reuses an old version.
                            records[write.Key] = new Slot(null, current.Version + 1);
                            versions[i] = current.Version;
                            log?.Append(TimelineEntryKind.Delete, write.Owner, write.Key, current.Version, current.Version + 1, ReadOnlyMemory<byte>.Empty, commitId.Value, timestamp);
                        }

                        break;
                    case StateWriteKind.Check:
                        versions[i] = current?.Value is null ? 0 : current.Version;
                        break;
                    default:
                        throw new UnreachableException("Write kinds are checked before the batch is applied.");
                }
            }

            _commits.Remember(commitId, versions);
            return ValueTask.FromResult(CommitResult.Success(versions));
        }
    }

    /// <inheritdoc />
    public ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = LogOf(owner);
            if (owner.Scope == Scope.Guild && log is { Forks.Count: > 0 })
            {
                throw new StateTimelineException(
                    TimelineFailure.HasForks,
                    owner.GuildIdOrEmpty,
                    log.Head,
                    $"The guild was not removed: its timeline has live forks ({string.Join(", ", log.Forks)}) that still read through it. Detach them first (IGuildTimelines.DetachAsync), or remove them.");
            }

            var floor = Math.Max(Floor(owner), log is null ? 0 : HighestInherited(log, owner));
            if (_owners.TryRemove(owner, out var removed))
            {
                floor = Math.Max(floor, HighestVersion(removed));
            }

            if (owner.Scope == Scope.Guild)
            {
                foreach (var candidate in _owners.Keys)
                {
                    if (candidate.Scope == Scope.Agent && candidate.GuildIdOrEmpty == owner.GuildIdOrEmpty && _owners.TryRemove(candidate, out var agent))
                    {
                        floor = Math.Max(floor, HighestVersion(agent));
                    }
                }
            }

            if (floor > 0)
            {
                _floors[owner.GuildIdOrEmpty] = floor;
            }

            ForgetOrLogRemoval(log, owner);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Does nothing: the records live in memory until the driver is collected.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc />
    /// <remarks>The store is this process's memory: it always answers.</remarks>
    public ValueTask PingAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>The version floor of the owner's guild: 0 unless an owner of the guild was removed.</summary>
    private long Floor(StateOwner owner) =>
        owner.Scope != Scope.Global && _floors.TryGetValue(owner.GuildIdOrEmpty, out var floor) ? floor : 0;

    private static long HighestVersion(ConcurrentDictionary<string, Slot> records)
    {
        var highest = 0L;
        foreach (var slot in records.Values)
        {
            highest = Math.Max(highest, slot.Version);
        }

        return highest;
    }

    /// <summary>One stored record; a null value is a tombstone that only remembers the version.</summary>
    private sealed record Slot(ReadOnlyMemory<byte>? Value, long Version);
}
