using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using TypedState.Storage;

namespace TypedState.InMemory;

/// <summary>
/// A fast, non-persistent driver for tests and prototypes. Reads are lock-free; batches are applied under one
/// lock so that every batch is atomic with respect to every other.
/// </summary>
public sealed class InMemoryStateDriver : IStateDriver
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
        if (_owners.TryGetValue(owner, out var records) && records.TryGetValue(key, out var slot) && slot.Value is { } value)
        {
            return new ValueTask<StoredRecord?>(new StoredRecord(key, value, slot.Version));
        }

        return new ValueTask<StoredRecord?>((StoredRecord?)null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_owners.TryGetValue(owner, out var records))
        {
            yield break;
        }

        var matches = new List<StoredRecord>();
        foreach (var (key, slot) in records)
        {
            if (slot.Value is { } value && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                matches.Add(new StoredRecord(key, value, slot.Version));
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
            if (owner.Scope == scope && records.Values.Any(static slot => slot.Value is not null))
            {
                owners.Add(owner);
            }
        }

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
        StateWrite.ThrowIfUnknownKind(writes);
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

            // Check every condition first; apply only when all hold.
            for (var i = 0; i < writes.Count; i++)
            {
                var live = LiveVersion(writes[i]);
                if (!writes[i].IsSatisfiedBy(live))
                {
                    return ValueTask.FromResult(CommitResult.Conflict(i, live));
                }
            }

            var versions = new long[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                var records = _owners.GetOrAdd(write.Owner, static _ => new ConcurrentDictionary<string, Slot>(StringComparer.Ordinal));
                records.TryGetValue(write.Key, out var current);
                switch (write.Kind)
                {
                    case StateWriteKind.Set:
                        var version = (current?.Version ?? Floor(write.Owner)) + 1;
                        records[write.Key] = new Slot(write.Value, version);
                        versions[i] = version;
                        break;
                    case StateWriteKind.Delete:
                        if (current?.Value is not null)
                        {
                            // A tombstone keeps the version so that a re-created key never reuses an old version.
                            records[write.Key] = new Slot(null, current.Version + 1);
                            versions[i] = current.Version;
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
            var floor = Floor(owner);
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
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var now = _clock.GetUtcNow();
            if (!_locks.TryGetValue(owner, out var locks))
            {
                locks = new OwnerLocks();
                _locks.Add(owner, locks);
            }

            var conflicting = key is null
                ? locks.Held.Values.Any(held => held.ExpiresAt > now)
                : (locks.Held.TryGetValue(OwnerResource, out var ownerLock) && ownerLock.ExpiresAt > now)
                  || (locks.Held.TryGetValue(key, out var keyLock) && keyLock.ExpiresAt > now);
            if (conflicting)
            {
                return ValueTask.FromResult<LockGrant?>(null);
            }

            var grant = new LockGrant(++locks.LastToken, now + lease);
            locks.Held[key ?? OwnerResource] = grant;
            locks.Granted[key ?? OwnerResource] = grant.Token;
            return ValueTask.FromResult<LockGrant?>(grant);
        }
    }

    /// <inheritdoc />
    public ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var now = _clock.GetUtcNow();
            if (_locks.TryGetValue(owner, out var locks)
                && locks.Held.TryGetValue(key ?? OwnerResource, out var held)
                && held.Token == token
                && held.ExpiresAt > now)
            {
                var renewed = new LockGrant(token, now + lease);
                locks.Held[key ?? OwnerResource] = renewed;
                return ValueTask.FromResult<LockGrant?>(renewed);
            }

            return ValueTask.FromResult<LockGrant?>(null);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            if (_locks.TryGetValue(owner, out var locks)
                && locks.Held.TryGetValue(key ?? OwnerResource, out var held)
                && held.Token == token)
            {
                locks.Held.Remove(key ?? OwnerResource);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// The newest token granted to a lock covering the fence: for a key fence, the owner lock and that key's lock;
    /// for an owner fence, every lock of the owner. Released locks no longer count, but a newer grant always
    /// raises <see cref="OwnerLocks.LastToken"/>, so the newest token ever granted is the bound to compare.
    /// </summary>
    private long NewestCoveringToken(StateFence fence)
    {
        if (!_locks.TryGetValue(fence.Owner, out var locks))
        {
            return 0;
        }

        if (fence.Key is null)
        {
            return locks.LastToken;
        }

        var newest = 0L;
        foreach (var resource in (ReadOnlySpan<string>)[OwnerResource, fence.Key])
        {
            if (locks.Granted.TryGetValue(resource, out var token))
            {
                newest = Math.Max(newest, token);
            }
        }

        return newest;
    }

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

    private long LiveVersion(StateWrite write) =>
        _owners.TryGetValue(write.Owner, out var records) && records.TryGetValue(write.Key, out var slot) && slot.Value is not null
            ? slot.Version
            : 0;

    /// <summary>The resource name of a whole-owner lock; never a valid key, since keys cannot be empty.</summary>
    private const string OwnerResource = "";

    /// <summary>The locks of one owner: held leases, the newest token per resource, and the owner's token counter.</summary>
    private sealed class OwnerLocks
    {
        public long LastToken { get; set; }

        public Dictionary<string, LockGrant> Held { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> Granted { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One stored record; a null value is a tombstone that only remembers the version.</summary>
    private sealed record Slot(ReadOnlyMemory<byte>? Value, long Version);
}
