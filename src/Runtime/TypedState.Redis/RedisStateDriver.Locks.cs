using System.Runtime.CompilerServices;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

// Locks: Lua scripts with leases by the server clock (TIME) and a per-owner token counter.
public sealed partial class RedisStateDriver
{
    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    public async ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var ownerKeys = _owners.For(owner);
        var args = RentArgs(4);
        args[0] = RedisKeys.LockResource(key);
        args[1] = Microseconds(lease);
        args[2] = holder ?? string.Empty;
        args[3] = ownerKeys.LockOwnerMember;
        RedisResult reply;
        try
        {
            reply = await RedisHotScripts.AcquireLock.SendAsync(database, ownerKeys.AcquireLockKeys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (RedisPreparedScript.NotRun(ex))
        {
            reply = await RedisHotScripts.AcquireLock.ResendAsync(database, ownerKeys.AcquireLockKeys, args).ConfigureAwait(false);
        }

        ReturnArgs(args);
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
        var reply = await RedisScriptCalls.RunAsync(database, RedisScripts.RenewLock, LockKeys(owner), [RedisKeys.LockResource(key), token, Microseconds(lease)])
            .ConfigureAwait(false);
        return reply.IsNull ? null : new LockGrant(token, FromMicroseconds((long)reply));
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder))]
    public async ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var args = RentArgs(2);
        args[0] = RedisKeys.LockResource(key);
        args[1] = token;
        var keys = _owners.For(owner).LockKeys;
        try
        {
            await RedisHotScripts.ReleaseLock.SendAsync(database, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (RedisPreparedScript.NotRun(ex))
        {
            await RedisHotScripts.ReleaseLock.ResendAsync(database, keys, args).ConfigureAwait(false);
        }

        ReturnArgs(args);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Each root keeps the set of its owners with locks: every master is scanned for them, each set read in pages
        // of ListPageSize owners by lexical range (one scope's members share their first character), each page one
        // script, so nothing is held between pages; the locks are then listed by owner in code point order.
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisValue first = scope is { } lowest ? "[" + (int)lowest : "-";
        RedisValue max = scope is { } last ? "(" + ((int)last + 1) : "+";
        var held = new List<(byte[] Member, HeldLock Lock)>();
        foreach (var root in await RootsHoldingAsync(database.Multiplexer, "lo", cancellationToken, includeStore: true).ConfigureAwait(false))
        {
            RedisKey[] owners = [RedisKeys.LockOwners(root)];
            var min = first;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = (RedisResult[])(await RedisScriptCalls.RunAsync(database, RedisScripts.ListLocksPage, owners, [min, max, ListPageSize, root])
                    .WaitAsync(cancellationToken)
                    .ConfigureAwait(false))!;
                for (var i = 2; i + 4 < page.Length; i += 5)
                {
                    var member = (byte[])page[i]!;
                    var resource = (string)page[i + 1]!;
                    held.Add((member, new HeldLock(
                        DecodeLockOwner(member),
                        resource == RedisKeys.OwnerResource ? null : resource[1..],
                        (long)page[i + 2],
                        FromMicroseconds((long)(double)page[i + 3]),
                        page[i + 4].IsNull ? null : (string?)page[i + 4])));
                }

                // A short page is the root's last; otherwise continue after the last member scanned (listed or not).
                if ((long)page[0] < ListPageSize)
                {
                    break;
                }

                min = Concat("("u8, (byte[])page[1]!);
            }
        }

        // A stable sort: one owner's locks keep the order their root listed them in.
        foreach (var (_, grant) in held.OrderBy(static h => h.Member, ByteOrder.Instance))
        {
            yield return grant;
        }
    }

    /// <summary>Byte arrays in code point (byte) order.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    private static StateOwner DecodeLockOwner(byte[] member) => (Scope)(member[0] - '0') switch
    {
        Scope.Global => StateOwner.Global,
        var scope => DecodeOwner(scope, member[1..]),
    };

    private RedisKey[] LockKeys(StateOwner owner)
    {
        return _owners.For(owner).LockKeys;
    }

    /// <summary>A lease in whole microseconds, rounded up so a lease never ends early.</summary>
    private static long Microseconds(TimeSpan lease) => Math.Max(1, (lease.Ticks + 9) / 10);

    private static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);
}
