using System.Runtime.CompilerServices;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

// Locks: Lua scripts with leases by the server clock (TIME) and a per-owner token counter.
public sealed partial class RedisStateDriver
{
    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var ownerKeys = _owners.For(owner);
        var reply = await database.ScriptEvaluateAsync(
                RedisScripts.AcquireLock,
                [ownerKeys.LockTokens, ownerKeys.HeldLocks, _keys.LockOwners],
                [RedisKeys.LockResource(key), Microseconds(lease), holder ?? string.Empty, RedisKeys.LockOwnerMember(owner)])
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
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await database.ScriptEvaluateAsync(RedisScripts.ReleaseLock, LockKeys(owner), [RedisKeys.LockResource(key), token]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Pages of ListPageSize owners of the set of owners with locks, by lexical range (one scope's members share
        // their first character), each one script, so nothing is held between pages.
        RedisKey[] owners = [_keys.LockOwners];
        RedisValue min = scope is { } first ? "[" + (int)first : "-";
        RedisValue max = scope is { } last ? "(" + ((int)last + 1) : "+";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
            var page = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.ListLocksPage, owners, [min, max, ListPageSize, _root])
                .WaitAsync(cancellationToken)
                .ConfigureAwait(false))!;
            for (var i = 2; i + 4 < page.Length; i += 5)
            {
                var resource = (string)page[i + 1]!;
                yield return new HeldLock(
                    DecodeLockOwner((byte[])page[i]!),
                    resource == RedisKeys.OwnerResource ? null : resource[1..],
                    (long)page[i + 2],
                    FromMicroseconds((long)(double)page[i + 3]),
                    page[i + 4].IsNull ? null : (string?)page[i + 4]);
            }

            // A short page is the last; otherwise continue after the last member scanned (listed or not).
            if ((long)page[0] < ListPageSize)
            {
                yield break;
            }

            min = Concat("("u8, (byte[])page[1]!);
        }
    }

    private static StateOwner DecodeLockOwner(byte[] member) => (Scope)(member[0] - '0') switch
    {
        Scope.Global => StateOwner.Global,
        var scope => DecodeOwner(scope, member[1..]),
    };

    private RedisKey[] LockKeys(StateOwner owner)
    {
        var ownerKeys = _owners.For(owner);
        return [ownerKeys.LockTokens, ownerKeys.HeldLocks];
    }

    /// <summary>A lease in whole microseconds, rounded up so a lease never ends early.</summary>
    private static long Microseconds(TimeSpan lease) => Math.Max(1, (lease.Ticks + 9) / 10);

    private static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);
}
