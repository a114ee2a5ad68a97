using System.Runtime.CompilerServices;
using TypedState.Storage;

namespace TypedState.Testing.Tests;

/// <summary>
/// The smallest correct driver: records and locks in two dictionaries behind one lock. It stands for a driver a
/// user writes; <see cref="DictionaryConformanceTests"/> runs the conformance suite against it, and the packed-suite
/// test compiles this very file against the TypedState and TypedState.Testing packages.
/// </summary>
public sealed class DictionaryStateDriver : IStateDriver, IDisposable
{
    /// <summary>The resource of a whole-owner lock: never a key, since keys cannot be empty.</summary>
    private const string OwnerResource = "";

    private readonly Lock _gate = new();

    /// <summary>Live records and tombstones (a null value): a tombstone keeps the version of a deleted key.</summary>
    private readonly Dictionary<(StateOwner Owner, string Key), (ReadOnlyMemory<byte>? Value, long Version)> _records = [];

    /// <summary>The newest grant per lock; a released grant stays, expired, so that fences still see its token.</summary>
    private readonly Dictionary<(StateOwner Owner, string Resource), LockGrant> _locks = [];
    private readonly Dictionary<(StateOwner Owner, string Resource), string?> _holders = [];

    /// <summary>The newest token granted per owner: tokens grow across all locks of an owner and are never reset.</summary>
    private readonly Dictionary<StateOwner, long> _lastTokens = [];

    /// <summary>The versions of every applied batch that carried a commit id; a test driver remembers them for its lifetime.</summary>
    private readonly Dictionary<CommitId, long[]> _commits = [];

    /// <summary>Per guild id, the highest version removed with an owner of that guild: new records start above it.</summary>
    private readonly Dictionary<string, long> _floors = [];

    /// <inheritdoc />
    public string Name => "dictionary";

    /// <inheritdoc />
    public ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_records.TryGetValue((owner, key), out var record) && record.Value is { } value
                ? new StoredRecord(key, value, record.Version)
                : (StoredRecord?)null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<StoredRecord> matches;
        lock (_gate)
        {
            matches = [.. _records
                .Where(r => r.Key.Owner == owner && r.Value.Value is not null && r.Key.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(r => new StoredRecord(r.Key.Key, r.Value.Value!.Value, r.Value.Version))
                .OrderBy(r => r.Key, StateKeyOrder.Comparer)];
        }

        foreach (var record in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<StateOwner> owners;
        lock (_gate)
        {
            owners = [.. _records
                .Where(r => r.Key.Owner.Scope == scope && r.Value.Value is not null)
                .Select(r => r.Key.Owner)
                .Distinct()
                .OrderBy(o => o.GuildId ?? string.Empty, StateKeyOrder.Comparer)
                .ThenBy(o => o.AgentId ?? string.Empty, StateKeyOrder.Comparer)];
        }

        foreach (var owner in owners)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return owner;
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StateWrite.ThrowIfUnknownKind(writes);
        lock (_gate)
        {
            if (!commitId.IsNone && _commits.TryGetValue(commitId, out var remembered))
            {
                return ValueTask.FromResult(CommitResult.Success(remembered));
            }

            for (var i = 0; i < fences.Count; i++)
            {
                var newest = NewestToken(fences[i]);
                if (newest > fences[i].Token)
                {
                    return ValueTask.FromResult(CommitResult.FencedOut(i, newest));
                }
            }

            // Every condition is checked before anything is written: all of the batch applies, or none of it.
            for (var i = 0; i < writes.Count; i++)
            {
                var live = LiveVersion(writes[i].Owner, writes[i].Key);
                if (!writes[i].IsSatisfiedBy(live))
                {
                    return ValueTask.FromResult(CommitResult.Conflict(i, live));
                }
            }

            var versions = new long[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                var (owner, key, kind, value, _) = writes[i];
                var live = LiveVersion(owner, key);
                var last = _records.TryGetValue((owner, key), out var record) ? record.Version : _floors.GetValueOrDefault(owner.GuildId ?? string.Empty);
                if (kind == StateWriteKind.Set)
                {
                    _records[(owner, key)] = (value, last + 1);
                    versions[i] = last + 1;
                }
                else
                {
                    if (kind == StateWriteKind.Delete && live > 0)
                    {
                        _records[(owner, key)] = (null, last + 1);
                    }

                    versions[i] = live;
                }
            }

            if (!commitId.IsNone)
            {
                _commits[commitId] = versions;
            }

            return ValueTask.FromResult(CommitResult.Success(versions));
        }
    }

    /// <inheritdoc />
    public ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var guild = owner.GuildId ?? string.Empty;
            var floor = _floors.GetValueOrDefault(guild);
            foreach (var record in _records.Keys.Where(r => r.Owner == owner || (owner.Scope == Scope.Guild && r.Owner.Scope == Scope.Agent && r.Owner.GuildId == owner.GuildId)).ToList())
            {
                floor = Math.Max(floor, _records[record].Version);
                _records.Remove(record);
            }

            _floors[guild] = floor;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            var conflicting = key is null
                ? _locks.Any(l => l.Key.Owner == owner && l.Value.ExpiresAt > now)
                : IsHeld(owner, OwnerResource, now) || IsHeld(owner, key, now);
            if (conflicting)
            {
                return ValueTask.FromResult<LockGrant?>(null);
            }

            var grant = new LockGrant(_lastTokens[owner] = _lastTokens.GetValueOrDefault(owner) + 1, now + lease);
            _locks[(owner, key ?? OwnerResource)] = grant;
            _holders[(owner, key ?? OwnerResource)] = holder;
            return ValueTask.FromResult<LockGrant?>(grant);
        }
    }

    /// <inheritdoc />
    public ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            if (_locks.TryGetValue((owner, key ?? OwnerResource), out var held) && held.Token == token && held.ExpiresAt > now)
            {
                return ValueTask.FromResult<LockGrant?>(_locks[(owner, key ?? OwnerResource)] = new LockGrant(token, now + lease));
            }

            return ValueTask.FromResult<LockGrant?>(null);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_locks.TryGetValue((owner, key ?? OwnerResource), out var held) && held.Token == token)
            {
                _locks[(owner, key ?? OwnerResource)] = held with { ExpiresAt = DateTimeOffset.MinValue };
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<HeldLock> held;
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            held = [.. _locks
                .Where(l => l.Value.ExpiresAt > now && (scope is null || l.Key.Owner.Scope == scope))
                .Select(l => new HeldLock(l.Key.Owner, l.Key.Resource.Length == 0 ? null : l.Key.Resource, l.Value.Token, l.Value.ExpiresAt, _holders[l.Key]))];
        }

        foreach (var one in held)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return one;
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Nothing to close: the records live in memory.</summary>
    public void Dispose()
    {
    }

    private bool IsHeld(StateOwner owner, string resource, DateTimeOffset now) =>
        _locks.TryGetValue((owner, resource), out var grant) && grant.ExpiresAt > now;

    /// <summary>The version of the live record, or 0 when the key is absent or deleted.</summary>
    private long LiveVersion(StateOwner owner, string key) =>
        _records.TryGetValue((owner, key), out var record) && record.Value is not null ? record.Version : 0;

    /// <summary>
    /// The newest token of a lock covering the fence: for a key, the owner lock's and that key's; for the whole
    /// owner, any lock's (the owner's counter).
    /// </summary>
    private long NewestToken(StateFence fence) => fence.Key is null
        ? _lastTokens.GetValueOrDefault(fence.Owner)
        : Math.Max(TokenOf(fence.Owner, OwnerResource), TokenOf(fence.Owner, fence.Key));

    private long TokenOf(StateOwner owner, string resource) => _locks.TryGetValue((owner, resource), out var grant) ? grant.Token : 0;
}
