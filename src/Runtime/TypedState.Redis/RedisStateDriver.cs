using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

/// <summary>
/// Stores state on a Redis server through StackExchange.Redis. Every batch, lock operation and owner removal is
/// one Lua script, so it is atomic on the server: a batch checks every fence and version, then applies every
/// write, or applies nothing. Listing pages through a per-owner sorted-set index of live keys with
/// <c>ZRANGEBYLEX</c> (byte order, which is code point order), never <c>KEYS</c> or <c>SCAN</c>, so prefixes
/// match literally whatever characters they hold; owner listing pages the same way through a per-scope sorted set
/// of the owners holding live records, kept by the commit and removal scripts. See <see cref="RedisStateDriverOptions"/> for the settings.
/// </summary>
/// <remarks>
/// Errors of the client (a lost connection, a timeout) surface as they are; the state manager wraps them into
/// <see cref="StateDriverException"/> naming the owner and key. A write whose reply was lost with the connection
/// may or may not have been applied, as with any remote store; a write reported as applied always was.
/// Needs Redis 5.0 or later (the tests run 7.0 on a single server). Every key of one prefix shares the prefix's
/// hash slot, so the layout also suits a cluster, where a batch may span owners.
/// Owner listing knows an owner once one of its records has been set by a driver version that keeps the owner sets;
/// owners whose records were all written by an earlier version are listed again after their next set.
/// </remarks>
public sealed partial class RedisStateDriver : IStateDriver
{
    private static readonly RedisValue[] RecordFields = [RedisKeys.ValueField, RedisKeys.VersionField];

    private readonly RedisKeys _keys;
    private readonly RedisOwnerKeysCache _owners;
    private readonly int _listPageSize;
    private readonly ConfigurationOptions? _configuration;
    private readonly string? _serverDescription;
    private readonly bool _ownsConnection;
    private readonly ILogger _logger;
    private readonly Lock _connectGate = new();
    private Task<IConnectionMultiplexer>? _connection;
    private int _disposed;

    // The KEYS and ARGV arrays of a single write (the common case), reused by one call at a time: a call takes one
    // (or allocates when another call holds it) and gives it back, cleared, once the script has answered.
    // One KEYS array per scope's key count (agent 5, guild 4, global 3).
    private RedisKey[]? _singleAgentKeys;
    private RedisKey[]? _singleGuildKeys;
    private RedisKey[]? _singleGlobalKeys;
    private RedisValue[]? _singleArgs;

    private ref RedisKey[]? SingleKeys(int keyCount)
    {
        if (keyCount == 5)
        {
            return ref _singleAgentKeys;
        }

        if (keyCount == 4)
        {
            return ref _singleGuildKeys;
        }

        return ref _singleGlobalKeys;
    }

    /// <summary>
    /// Creates the driver. When <see cref="RedisStateDriverOptions.Connection"/> is null the driver opens its own
    /// connection from <see cref="RedisStateDriverOptions.Configuration"/> on first use and disposes it with itself.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid.</exception>
    public RedisStateDriver(RedisStateDriverOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        KeyPrefix = options.KeyPrefix;
        _keys = new RedisKeys(options.KeyPrefix);
        _owners = new RedisOwnerKeysCache(_keys);
        _listPageSize = options.ListPageSize;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RedisStateDriver>();
        if (options.Connection is { } connection)
        {
            _connection = Task.FromResult(connection);
        }
        else
        {
            _configuration = ConfigurationOptions.Parse(options.Configuration);
            _configuration.AbortOnConnectFail = false;
            _serverDescription = _configuration.ToString(includePassword: false);
            if (loggerFactory is not null)
            {
                _configuration.LoggerFactory ??= loggerFactory;
            }

            _ownsConnection = true;
        }
    }

    /// <summary>Creates the driver from dependency-injection options.</summary>
    public RedisStateDriver(IOptions<RedisStateDriverOptions> options, ILoggerFactory? loggerFactory = null)
        : this(options?.Value!, loggerFactory)
    {
    }

    /// <inheritdoc />
    public string Name => "redis";

    /// <summary>The namespace of this driver's keys on the server.</summary>
    public string KeyPrefix { get; }

    /// <summary>How many records a listing reads per round trip.</summary>
    internal int ListPageSize => _listPageSize;

    /// <inheritdoc />
    public async ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync().ConfigureAwait(false);
        var fields = await database.HashGetAsync(_owners.For(owner).Record(key), RecordFields)
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        return fields[0].IsNull ? null : new StoredRecord(key, (byte[])fields[0]!, (long)fields[1]);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (scope == Scope.Global)
        {
            // Redis deletes an emptied sorted set, so the global index exists exactly while a global record is live.
            var database = await DatabaseAsync().ConfigureAwait(false);
            if (await database.KeyExistsAsync(_keys.Index(RedisKeys.OwnerTag(StateOwner.Global))).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return StateOwner.Global;
            }

            yield break;
        }

        if (scope is not (Scope.Agent or Scope.Guild))
        {
            yield break;
        }

        // Pages of the scope's owner set by lexical range, each one script: nothing is held between pages, so the
        // caller may write while it enumerates, and each page resumes after the last member scanned.
        RedisKey[] owners = [_keys.Owners(scope)];
        RedisValue kind = scope == Scope.Agent ? "a" : "g";
        RedisValue min = "-";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var database = await DatabaseAsync().ConfigureAwait(false);
            var page = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.ListOwnersPage, owners, [min, "+", _listPageSize, _keys.Root, kind])
                .WaitAsync(cancellationToken)
                .ConfigureAwait(false))!;
            for (var i = 2; i < page.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return DecodeOwner(scope, (byte[])page[i]!);
            }

            // A short page is the last; otherwise continue after the last member scanned (listed or not).
            if ((long)page[0] < _listPageSize)
            {
                yield break;
            }

            min = Concat("("u8, (byte[])page[1]!);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var ownerKeys = _owners.For(owner);
        RedisKey[] index = [ownerKeys.Index];
        var recordBase = ownerKeys.RecordBase;
        var upper = StateKeyOrder.PrefixUpperBound(prefix);
        RedisValue min = prefix.Length == 0 ? "-" : "[" + prefix;
        RedisValue max = upper is null ? "+" : "(" + upper;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var database = await DatabaseAsync().ConfigureAwait(false);
            var page = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.ListPage, index, [min, max, _listPageSize, recordBase])
                .WaitAsync(cancellationToken)
                .ConfigureAwait(false))!;
            for (var i = 2; i + 2 < page.Length; i += 3)
            {
                yield return new StoredRecord(Decode(page[i]), (byte[])page[i + 1]!, (long)page[i + 2]);
            }

            // A short page is the last; otherwise continue after the last key scanned (listed or not).
            if ((long)page[0] < _listPageSize)
            {
                yield break;
            }

            min = Concat("("u8, (byte[])page[1]!);
        }
    }

    /// <inheritdoc />
    public async ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes);
        cancellationToken.ThrowIfCancellationRequested();

        var keyCount = fences.Count;
        foreach (var write in writes)
        {
            keyCount += write.Owner.Scope switch
            {
                Scope.Agent => 5,
                Scope.Guild => 4,
                _ => 3,
            };
        }

        var argCount = 2 + (fences.Count * 3) + (writes.Count * 6);
        var single = writes.Count == 1 && fences.Count == 0;
        var keys = (single ? Interlocked.Exchange(ref SingleKeys(keyCount), null) : null) ?? new RedisKey[keyCount];
        var args = (single ? Interlocked.Exchange(ref _singleArgs, null) : null) ?? new RedisValue[argCount];
        args[0] = fences.Count;
        args[1] = writes.Count;
        int k = 0, a = 2;
        foreach (var fence in fences)
        {
            keys[k++] = _owners.For(fence.Owner).LockTokens;
            args[a++] = fence.Key is null ? "o" : "k";
            args[a++] = RedisKeys.LockResource(fence.Key);
            args[a++] = fence.Token;
        }

        foreach (var write in writes)
        {
            var owner = _owners.For(write.Owner);
            keys[k++] = owner.Record(write.Key);
            keys[k++] = owner.Index;
            keys[k++] = owner.Tombstones;
            var isAgent = write.Owner.Scope == Scope.Agent;
            if (write.Owner.Scope != Scope.Global)
            {
                keys[k++] = _keys.Owners(write.Owner.Scope);
            }

            if (isAgent)
            {
                keys[k++] = owner.GuildAgents;
            }

            args[a++] = write.Kind switch
            {
                StateWriteKind.Set => "s",
                StateWriteKind.Delete => "d",
                StateWriteKind.Check => "c",
                _ => throw new UnreachableException("Write kinds are checked before the script is built."),
            };
            args[a++] = write.ExpectedVersion is { } expected ? expected : RedisValue.EmptyString;
            args[a++] = write.Kind == StateWriteKind.Set ? write.Value : RedisValue.EmptyString;
            args[a++] = write.Key;
            args[a++] = isAgent ? owner.Tag : RedisValue.EmptyString;
            args[a++] = RedisKeys.OwnerMember(write.Owner);
        }

        var database = await DatabaseAsync().ConfigureAwait(false);
        var reply = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.Commit, keys, args).ConfigureAwait(false))!;
        if (single)
        {
            // Answered, so the client is done with the arrays (after a failure it may not be: they are dropped).
            Array.Clear(keys);
            Array.Clear(args);
            Volatile.Write(ref SingleKeys(keyCount), keys);
            Volatile.Write(ref _singleArgs, args);
        }
        switch ((long)reply[0])
        {
            case 0:
                var versions = new long[writes.Count];
                for (var i = 0; i < versions.Length; i++)
                {
                    versions[i] = (long)reply[i + 1];
                }

                return CommitResult.Success(versions);
            case 1:
                return CommitResult.Conflict((int)reply[1], (long)reply[2]);
            case 2:
                return CommitResult.FencedOut((int)reply[1], (long)reply[2]);
            default:
                throw new InvalidOperationException($"The Redis commit script returned the unknown status {(long)reply[0]}.");
        }
    }

    /// <inheritdoc />
    public async ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        var mode = owner.Scope switch
        {
            Scope.Agent => "a",
            Scope.Guild => "g",
            _ => throw new ArgumentException("Global state is never removed implicitly.", nameof(owner)),
        };
        cancellationToken.ThrowIfCancellationRequested();
        var ownerKeys = _owners.For(owner);
        RedisKey[] keys =
        [
            ownerKeys.Index, ownerKeys.Tombstones, ownerKeys.GuildAgents, _keys.Owners(owner.Scope), _keys.Owners(Scope.Agent),
        ];
        var database = await DatabaseAsync().ConfigureAwait(false);
        var removed = (long)(await database.ScriptEvaluateAsync(RedisScripts.RemoveOwner, keys, [mode, _keys.Root, ownerKeys.Tag, RedisKeys.OwnerMember(owner)])
            .ConfigureAwait(false));
        LogRemoved(owner, removed);
    }

    /// <inheritdoc />
    public async ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync().ConfigureAwait(false);
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
        var database = await DatabaseAsync().ConfigureAwait(false);
        var reply = await database.ScriptEvaluateAsync(RedisScripts.RenewLock, LockKeys(owner), [RedisKeys.LockResource(key), token, Microseconds(lease)])
            .ConfigureAwait(false);
        return reply.IsNull ? null : new LockGrant(token, FromMicroseconds((long)reply));
    }

    /// <inheritdoc />
    public async ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync().ConfigureAwait(false);
        await database.ScriptEvaluateAsync(RedisScripts.ReleaseLock, LockKeys(owner), [RedisKeys.LockResource(key), token]).ConfigureAwait(false);
    }

    /// <summary>Closes the connection when the driver opened it; a connection passed in is left open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !_ownsConnection)
        {
            return;
        }

        Task<IConnectionMultiplexer>? connection;
        lock (_connectGate)
        {
            connection = _connection;
            _connection = null;
        }

        if (connection is null)
        {
            return;
        }

        IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await connection.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ArgumentException)
        {
            // It never connected; there is nothing to close.
            return;
        }

        await multiplexer.DisposeAsync().ConfigureAwait(false);
    }

    private RedisKey[] LockKeys(StateOwner owner)
    {
        var ownerKeys = _owners.For(owner);
        return [ownerKeys.LockTokens, ownerKeys.HeldLocks];
    }

    /// <summary>A lease in whole microseconds, rounded up so a lease never ends early.</summary>
    private static long Microseconds(TimeSpan lease) => Math.Max(1, (lease.Ticks + 9) / 10);

    private static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);

    private static string Decode(RedisResult member) => Encoding.UTF8.GetString((byte[])member!);

    /// <summary>Rebuilds an owner from its member in the owner set (see <see cref="RedisKeys.OwnerMember"/>).</summary>
    private static StateOwner DecodeOwner(Scope scope, byte[] member)
    {
        if (scope == Scope.Guild)
        {
            return StateOwner.Guild(Encoding.UTF8.GetString(member));
        }

        var nul = Array.IndexOf(member, (byte)0);
        return StateOwner.Agent(Encoding.UTF8.GetString(member, 0, nul), Encoding.UTF8.GetString(member, nul + 1, member.Length - nul - 1));
    }

    private static byte[] Concat(ReadOnlySpan<byte> head, byte[] tail)
    {
        var bytes = new byte[head.Length + tail.Length];
        head.CopyTo(bytes);
        tail.CopyTo(bytes.AsSpan(head.Length));
        return bytes;
    }

    private ValueTask<IDatabase> DatabaseAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = _connection;
        if (connection is null || connection.IsFaulted || connection.IsCanceled)
        {
            connection = Connect();
        }

        return connection.IsCompletedSuccessfully
            ? new ValueTask<IDatabase>(connection.Result.GetDatabase())
            : AwaitDatabaseAsync(connection);

        static async ValueTask<IDatabase> AwaitDatabaseAsync(Task<IConnectionMultiplexer> pending) =>
            (await pending.ConfigureAwait(false)).GetDatabase();
    }

    /// <summary>Starts connecting once; a failed attempt is replaced by a new one on the next operation.</summary>
    private Task<IConnectionMultiplexer> Connect()
    {
        lock (_connectGate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_connection is { IsFaulted: false, IsCanceled: false } current)
            {
                return current;
            }

            var configuration = _configuration!.Clone();
            LogConnecting(_serverDescription!, KeyPrefix);
            _connection = ConnectAsync(configuration);
            return _connection;
        }

        static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration) =>
            await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Connecting to Redis at {Configuration} for key prefix '{KeyPrefix}'")]
    private partial void LogConnecting(string configuration, string keyPrefix);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Removed {Count} Redis records and tombstones of {Owner}")]
    private partial void LogRemoved(StateOwner owner, long count);
}
