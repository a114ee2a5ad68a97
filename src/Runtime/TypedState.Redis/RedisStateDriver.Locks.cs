using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

// Locks: Lua scripts with leases by the server clock (TIME) and a per-owner token counter.
public sealed partial class RedisStateDriver
{
    /// <inheritdoc />
    public async ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var reply = await database.ScriptEvaluateAsync(RedisScripts.AcquireLock, LockKeys(owner), [RedisKeys.LockResource(key), Microseconds(lease)])
            .ConfigureAwait(false);
        if (reply.IsNull)
        {
            return null;
        }

        var grant = (RedisResult[])reply!;
        return new LockGrant((long)grant[0], FromMicroseconds((long)grant[1]));
    }

    /// <inheritdoc />
    public async ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var reply = await database.ScriptEvaluateAsync(RedisScripts.RenewLock, LockKeys(owner), [RedisKeys.LockResource(key), token, Microseconds(lease)])
            .ConfigureAwait(false);
        return reply.IsNull ? null : new LockGrant(token, FromMicroseconds((long)reply));
    }

    /// <inheritdoc />
    public async ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await database.ScriptEvaluateAsync(RedisScripts.ReleaseLock, LockKeys(owner), [RedisKeys.LockResource(key), token]).ConfigureAwait(false);
    }

    private RedisKey[] LockKeys(StateOwner owner)
    {
        var ownerKeys = _owners.For(owner);
        return [ownerKeys.LockTokens, ownerKeys.HeldLocks];
    }

    /// <summary>A lease in whole microseconds, rounded up so a lease never ends early.</summary>
    private static long Microseconds(TimeSpan lease) => Math.Max(1, (lease.Ticks + 9) / 10);

    private static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);
}
