using System.Runtime.CompilerServices;
using TypedState.Storage;

namespace TypedState.InMemory;

// Locks: leases by the driver's clock, the holder each grant records, and per-owner fencing tokens.
public sealed partial class InMemoryStateDriver
{
    /// <inheritdoc />
    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken)
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
                ? locks.Held.Values.Any(held => held.Grant.ExpiresAt > now)
                : (locks.Held.TryGetValue(OwnerResource, out var ownerLock) && ownerLock.Grant.ExpiresAt > now)
                  || (locks.Held.TryGetValue(key, out var keyLock) && keyLock.Grant.ExpiresAt > now);
            if (conflicting)
            {
                return ValueTask.FromResult<LockGrant?>(null);
            }

            var grant = new LockGrant(++locks.LastToken, now + lease);
            locks.Held[key ?? OwnerResource] = new HeldGrant(grant, holder);
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
                && held.Grant.Token == token
                && held.Grant.ExpiresAt > now)
            {
                var renewed = new LockGrant(token, now + lease);
                locks.Held[key ?? OwnerResource] = held with { Grant = renewed };
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
                && held.Grant.Token == token)
            {
                locks.Held.Remove(key ?? OwnerResource);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The store is in memory already: one copy, taken under the write lock, ordered as the other drivers order them.
        var listed = new List<HeldLock>();
        lock (_writeGate)
        {
            var now = _clock.GetUtcNow();
            foreach (var (owner, locks) in _locks)
            {
                if (scope is null || owner.Scope == scope)
                {
                    foreach (var (resource, held) in locks.Held)
                    {
                        if (held.Grant.ExpiresAt > now)
                        {
                            listed.Add(new HeldLock(owner, resource.Length == 0 ? null : resource, held.Grant.Token, held.Grant.ExpiresAt, held.Holder));
                        }
                    }
                }
            }
        }

        listed.Sort(static (a, b) =>
        {
            var order = a.Owner.Scope.CompareTo(b.Owner.Scope);
            order = order != 0 ? order : StateKeyOrder.Comparer.Compare(a.Owner.GuildIdOrEmpty, b.Owner.GuildIdOrEmpty);
            order = order != 0 ? order : StateKeyOrder.Comparer.Compare(a.Owner.AgentIdOrEmpty, b.Owner.AgentIdOrEmpty);
            return order != 0 ? order : StateKeyOrder.Comparer.Compare(a.Key ?? string.Empty, b.Key ?? string.Empty);
        });
        foreach (var held in listed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return held;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

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

    /// <summary>The resource name of a whole-owner lock; never a valid key, since keys cannot be empty.</summary>
    private const string OwnerResource = "";

    /// <summary>The locks of one owner: held leases, the newest token per resource, and the owner's token counter.</summary>
    private sealed class OwnerLocks
    {
        public long LastToken { get; set; }

        public Dictionary<string, HeldGrant> Held { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> Granted { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>A held lease and who took it.</summary>
    private sealed record HeldGrant(LockGrant Grant, string? Holder);
}
