using System.Runtime.CompilerServices;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

// Locks: acquiring, renewing and releasing leases, and fencing writes with a lock's token.
public partial class StateManager
{
    private static readonly TimeSpan s_maxLease = TimeSpan.FromDays(1);

    /// <inheritdoc />
    public async ValueTask<IStateLock> AcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        return await TryAcquireLockAsync(owner, key, lease, timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new StateLockException(
                StateLockFailure.Timeout,
                owner,
                key,
                null,
                null,
                $"The {(key is null ? "owner" : "key")} lock stayed taken for the whole wait of {timeout.TotalMilliseconds:0} ms.");
    }

    // The two TryAcquireLockAsync overloads both keep an optional token (see IStateManager).
#pragma warning disable RS0026, RS0027
    /// <inheritdoc />
    public async ValueTask<IStateLock?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, TimeSpan waitTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(waitTimeout, TimeSpan.Zero);
        var started = TimeProvider.System.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            if (await TryAcquireLockAsync(owner, key, lease, cancellationToken).ConfigureAwait(false) is { } held)
            {
                return held;
            }

            var remaining = waitTimeout - TimeProvider.System.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            // Drivers have no common way to block on a lock, so waiters poll with a growing, jittered pause (a task
            // delay, no thread held); the last pause ends at the deadline, for one last attempt there.
            var pause = Math.Min(50, 1 << Math.Min(attempt, 6));
            var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(pause / 2, pause + 1));
            await Task.Delay(delay < remaining ? delay : remaining, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    public async ValueTask<IStateLock?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ValidateLockTarget(owner, key);
        ValidateLease(lease);
        var tracker = OperationTracker.Start("lock", Driver.Name, owner, key);
        try
        {
            var holder = Options.LockHolder ?? StateManagerOptions.DefaultLockHolder;
            var grant = await Driver.TryAcquireLockAsync(owner, key, lease, holder, cancellationToken).ConfigureAwait(false);
            tracker.Complete(grant is null ? "busy" : null);
            return grant is { } granted ? new StateLock(this, owner, key, lease, granted) : null;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "lock", owner, key, StateWriteOutcome.Unknown);
        }
    }

#pragma warning restore RS0026, RS0027

    /// <inheritdoc />
    public async IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (scope is { } filter && filter is not (Scope.Agent or Scope.Guild or Scope.Global))
        {
            throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown scope.");
        }

        await foreach (var held in TrackedAsync("locks", null, null, token => Driver.ListLocksAsync(scope, token), cancellationToken).ConfigureAwait(false))
        {
            yield return held;
        }
    }

    /// <inheritdoc />
    public IStateManager WithFence(StateFence fence)
    {
        ValidateLockTarget(fence.Owner, fence.Key);
        ArgumentOutOfRangeException.ThrowIfLessThan(fence.Token, 1, nameof(fence));
        return new StateManager(this, [.. _fences, fence]);
    }

    internal async ValueTask<LockGrant> RenewLockAsync(StateLock held, TimeSpan lease, CancellationToken cancellationToken)
    {
        var tracker = OperationTracker.Start("renew", Driver.Name, held.Owner, held.Key);
        try
        {
            var grant = await Driver.RenewLockAsync(held.Owner, held.Key, held.FencingToken, lease, cancellationToken).ConfigureAwait(false)
                ?? throw new StateLockException(
                    StateLockFailure.Lost,
                    held.Owner,
                    held.Key,
                    held.FencingToken,
                    null,
                    $"The lock with fencing token {held.FencingToken} was lost: its lease expired before it was renewed.");
            tracker.Complete();
            return grant;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "renew", held.Owner, held.Key, StateWriteOutcome.Unknown);
        }
    }

    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder))]
    internal async ValueTask ReleaseLockAsync(StateLock held, CancellationToken cancellationToken)
    {
        var tracker = OperationTracker.Start("unlock", Driver.Name, held.Owner, held.Key);
        try
        {
            await Driver.ReleaseLockAsync(held.Owner, held.Key, held.FencingToken, cancellationToken).ConfigureAwait(false);
            tracker.Complete();
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "unlock", held.Owner, held.Key, StateWriteOutcome.Unknown);
        }
    }

    internal static TimeSpan ValidateLease(TimeSpan lease)
    {
        if (lease <= TimeSpan.Zero || lease > s_maxLease)
        {
            throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease lasts more than zero and at most one day.");
        }

        return lease;
    }

    private void ValidateLockTarget(StateOwner owner, string? key)
    {
        if (key is null)
        {
            ValidateOwner(owner);
        }
        else
        {
            ValidateKey(owner, key);
        }
    }
}
