using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TypedState.Storage;

namespace TypedState.Redis;

/// <summary>
/// Stores state on a Redis server through StackExchange.Redis. Every batch and lock operation is one Lua script, so
/// it is atomic on the server: a batch checks every fence and version, then applies every write, or applies nothing;
/// an owner removal takes effect in one script and frees the old records in bounded steps. Listing pages through a per-owner sorted-set index of live keys with
/// <c>ZRANGEBYLEX</c> (byte order, which is code point order), never <c>KEYS</c> or <c>SCAN</c>, so prefixes
/// match literally whatever characters they hold; owner listing pages the same way through a per-scope sorted set
/// of the owners holding live records, kept by the commit and removal scripts. See <see cref="RedisStateDriverOptions"/> for the settings.
/// </summary>
/// <remarks>
/// <para>Errors of the client surface as they are, and the state manager wraps them into
/// <see cref="StateDriverException"/> naming the owner and key; a commit whose request may have reached the server
/// but whose answer was lost (a timeout, a broken connection) is reported as <see cref="CommitOutcomeUnknownException"/>,
/// and the manager repeats it under its commit id, which the server remembers for
/// <see cref="RedisStateDriverOptions.CommitIdRetention"/>, so it is applied once.</para>
/// <para>When it connects, the driver refuses a server that may evict keys (<see cref="RedisMemoryPolicyException"/>)
/// and prepares the store marker (storage layout version and epoch). A commit that finds the marker gone, replaced or
/// behind the commits the driver saw — the server lost data since the driver connected — applies nothing (<see cref="RedisDataLossException"/>), and the
/// driver moves to a new epoch whose versions start above every earlier one. Fencing tokens never fall below the server
/// clock in microseconds, so a token granted after such a loss still outranks every earlier one.</para>
/// <para>Removing an owner moves it to a new key space in one short script (the removal takes effect there), then
/// deletes the old space in bounded steps (<see cref="RedisStateDriverOptions.RemovalBatchSize"/>).</para>
/// <para>Needs Redis 5.0 or later (the tests run 7.0 on a single server). Every key of one prefix shares the prefix's
/// hash slot, so the layout also suits a cluster, where a batch may span owners. Owner listing knows an owner once one
/// of its records has been set by a driver version that keeps the owner sets; owners whose records were all written by
/// an earlier version are listed again after their next set.</para>
/// </remarks>
public sealed partial class RedisStateDriver : IStateDriver, IDisposable
{
    private static readonly RedisValue[] s_recordFields = [RedisKeys.ValueField, RedisKeys.VersionField];

    private readonly RedisKeys _keys;
    private readonly RedisOwnerKeysCache _owners;
    private readonly RedisKey[] _storeKeys;
    private readonly RedisValue _root;
    private readonly long _commitIdRetentionMs;
    private readonly bool _allowEvictingMemoryPolicy;
    private readonly ConfigurationOptions? _configuration;
    private readonly string? _serverDescription;
    private readonly bool _ownsConnection;
    private readonly ILogger _logger;
    private readonly Lock _connectGate = new();
    private Task<IConnectionMultiplexer>? _connection;
    private int _disposed;

    // One file per concern: reads and listings here; the commit in .Commit.cs, owner removal in .Removal.cs, locks
    // in .Locks.cs, the connection in .Connection.cs, the store marker (policy, layout, epoch) in .Store.cs; key
    // names in RedisKeys, the Lua scripts in RedisScripts.*.cs.

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
        _storeKeys = [_keys.Store];
        _root = Encoding.UTF8.GetBytes(_keys.Root);
        _commitIdRetentionMs = (long)Math.Ceiling(options.CommitIdRetention.TotalMilliseconds);
        RemovalBatchSize = options.RemovalBatchSize;
        _allowEvictingMemoryPolicy = options.AllowEvictingMemoryPolicy;
        ListPageSize = options.ListPageSize;
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
    internal int ListPageSize { get; }

    /// <summary>How many records one step of a removal deletes.</summary>
    internal int RemovalBatchSize { get; }

    /// <summary>How long an applied commit id is remembered.</summary>
    internal TimeSpan CommitIdRetention => TimeSpan.FromMilliseconds(_commitIdRetentionMs);

    // The runtime's pooling builder, not SharedPoolValueTaskMethodBuilder as the commit and lock methods: the client
    // resumes its callers on the thread pool, which queues the runtime's box as it is but wraps any other
    // continuation in a work item of its own (40-90 B a get in every run measured), where the runtime's box was
    // found again on most gets (0-164 B a get over seven runs; the commit's and lock's missed more, up to 260 B).
    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var ownerKeys = _owners.For(owner);
        if (owner.Scope == Scope.Global)
        {
            // Global state is never removed, so its records keep their first names: a plain HMGET.
            var fields = await database.HashGetAsync(ownerKeys.Record(key), s_recordFields).WaitAsync(cancellationToken).ConfigureAwait(false);
            return fields[0].IsNull ? null : new StoredRecord(key, (byte[])fields[0]!, (long)fields[1]);
        }

        // One round trip, not atomic but safe: the record under its first name, then whether any removal ever gave the
        // owner another key space. Metas are never deleted, so none existing at the second read means none existed at
        // the first, and the record read there was current. Otherwise a script resolves the space (owners removed).
        var first = database.HashGetAsync(ownerKeys.Record(key), s_recordFields);
        var removed = database.KeyExistsAsync(ownerKeys.Metas);
        RedisValue[] record;
        try
        {
            record = await first.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Observe(removed);
            throw;
        }

        if (await removed.WaitAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return record[0].IsNull ? null : new StoredRecord(key, (byte[])record[0]!, (long)record[1]);
        }

        var reply = (RedisResult[])(await RedisScriptCalls.RunAsync(database, RedisScripts.Read, ownerKeys.MarkerKeys, [_root, ownerKeys.Tag, ownerKeys.GuildTag, key])
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false))!;
        return reply[0].IsNull ? null : new StoredRecord(key, (byte[])reply[0]!, (long)reply[1]);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (scope == Scope.Global)
        {
            // Redis deletes an emptied sorted set, so the global index exists exactly while a global record is live.
            var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
            if (await database.KeyExistsAsync(_keys.Index(StateOwner.Global)).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return StateOwner.Global;
            }

            yield break;
        }

        if (scope is not (Scope.Agent or Scope.Guild))
        {
            yield break;
        }
        // Every guild root keeps its own owner sets, so each master is scanned for them; the members of all are
        // then listed in code point order.
        var connected = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var suffix = scope == Scope.Agent ? "o:agent" : "o:guild";
        var members = new List<byte[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        RedisValue kind = scope == Scope.Agent ? "a" : "g";
        foreach (var root in await RootsHoldingAsync(connected.Multiplexer, suffix, cancellationToken).ConfigureAwait(false))
        {
            RedisKey[] owners = [root + suffix];
            RedisValue min = "-";
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = (RedisResult[])(await RedisScriptCalls.RunAsync(connected, RedisScripts.ListOwnersPage, owners, [min, "+", ListPageSize, root, kind])
                    .WaitAsync(cancellationToken)
                    .ConfigureAwait(false))!;
                for (var i = 2; i < page.Length; i++)
                {
                    var member = (byte[])page[i]!;
                    if (seen.Add(Convert.ToBase64String(member)))
                    {
                        members.Add(member);
                    }
                }

                // A short page is the root's last; otherwise continue after the last member scanned (listed or not).
                if ((long)page[0] < ListPageSize)
                {
                    break;
                }

                min = Concat("("u8, (byte[])page[1]!);
            }
        }

        members.Sort(static (x, y) => x.AsSpan().SequenceCompareTo(y));
        foreach (var member in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return DecodeOwner(scope, member);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var ownerKeys = _owners.For(owner);
        var upper = StateKeyOrder.PrefixUpperBound(prefix);
        RedisValue min = prefix.Length == 0 ? "-" : "[" + prefix;
        RedisValue max = upper is null ? "+" : "(" + upper;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
            RedisValue[] args = [_root, ownerKeys.Tag, ownerKeys.GuildTag, min, max, ListPageSize];
            RedisResult reply;
            try
            {
                reply = await RedisHotScripts.ListPage.SendAsync(database, ownerKeys.MarkerKeys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (RedisPreparedScript.NotRun(ex))
            {
                reply = await RedisHotScripts.ListPage.ResendAsync(database, ownerKeys.MarkerKeys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            var page = (RedisResult[])reply!;
            for (var i = 2; i + 2 < page.Length; i += 3)
            {
                yield return new StoredRecord((string)page[i]!, (byte[])page[i + 1]!, (long)page[i + 2]);
            }

            // A short page is the last; otherwise continue after the last key scanned (listed or not).
            if ((long)page[0] < ListPageSize)
            {
                yield break;
            }

            min = Concat("("u8, (byte[])page[1]!);
        }
    }

    /// <summary>Observes the failure of a command nobody waits for any more, so it is not reported as unobserved.</summary>
    private static void Observe(Task abandoned) =>
        _ = abandoned.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

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
}
