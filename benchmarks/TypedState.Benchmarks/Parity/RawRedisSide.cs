using System.Text.Json;
using StackExchange.Redis;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// Hand-written StackExchange.Redis with its own multiplexer and key prefix <c>rw</c>: a hash per record (<c>v</c> the
/// value, <c>n</c> the version) and a sorted set of each owner's keys. A get is one <c>HMGET</c>; writes are Lua
/// scripts (the version check and the index update must be atomic), sent by SHA after the first call; a listing is one
/// script that reads the owner's index and each record; a lock is <c>SET NX PX</c> and a compare-and-delete script.
/// With <c>rememberCommits</c> (key prefix <c>rf</c>: the floor row), every write script also does the server work the
/// driver's commit adds for its guarantees: it looks up a fresh commit id (answering the remembered result for a
/// repeat), reads and counts the root's epoch marker, and remembers the id with an expiry (<c>SET … PX</c>).
/// </summary>
public sealed class RawRedisSide : ParitySide
{
    private const string SetScript = """
        local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
        redis.call('HSET', KEYS[1], 'v', ARGV[1])
        redis.call('ZADD', KEYS[2], 0, ARGV[2])
        return n
        """;

    private const string CasScript = """
        local n = tonumber(redis.call('HGET', KEYS[1], 'n') or 0)
        if n ~= tonumber(ARGV[3]) then return -1 end
        redis.call('HSET', KEYS[1], 'v', ARGV[1], 'n', n + 1)
        redis.call('ZADD', KEYS[2], 0, ARGV[2])
        return n + 1
        """;

    private const string DeleteScript = """
        redis.call('ZREM', KEYS[2], ARGV[1])
        return redis.call('DEL', KEYS[1])
        """;

    // KEYS: 10 records, then the index; ARGV: 10 values, 10 expected versions, 10 members.
    private const string TransactionScript = """
        local w = #KEYS - 1
        for i = 1, w do
          if tonumber(redis.call('HGET', KEYS[i], 'n') or 0) ~= tonumber(ARGV[w + i]) then return { -1, i } end
        end
        local out = {}
        for i = 1, w do
          local n = tonumber(ARGV[w + i]) + 1
          redis.call('HSET', KEYS[i], 'v', ARGV[i], 'n', n)
          redis.call('ZADD', KEYS[#KEYS], 0, ARGV[2 * w + i])
          out[i] = n
        end
        return out
        """;

    private const string ListScript = """
        local keys = redis.call('ZRANGE', KEYS[1], 0, -1)
        local out = {}
        for i, k in ipairs(keys) do
          local f = redis.call('HMGET', ARGV[1] .. k, 'n', 'v')
          out[#out + 1] = k
          out[#out + 1] = f[1]
          out[#out + 1] = f[2]
        end
        return out
        """;

    private const string UnlockScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    // The floor's additions around each write script: the commit id looked up first, the marker read and counted,
    // the id remembered with the write's result; the write's own body runs as a function in between.
    private const string RememberHead = """
        local id = ARGV[#ARGV]
        local remember = 'rf:c:' .. id
        local known = redis.call('GET', remember)
        if known then return tonumber(known) end
        local marker = redis.call('HMGET', 'rf:e', 'epoch', 'seq')
        local function body()

        """;

    private const string RememberTail = """

        end
        local r = body()
        redis.call('HINCRBY', 'rf:e', 'seq', 1)
        redis.call('SET', remember, type(r) == 'table' and table.concat(r, ',') or tostring(r), 'PX', 600000)
        return r
        """;

    private static readonly RedisValue[] s_fields = ["v", "n"];
    private readonly string _prefix;
    private readonly bool _rememberCommits;
    private readonly string _set;
    private readonly string _cas;
    private readonly string _delete;
    private readonly string _transaction;
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly IDatabase _db;
    private readonly string _writeRecordPrefix;
    private readonly RedisKey _writeIndex;
    private readonly string _getRecordPrefix;
    private readonly RedisKey _listIndex;
    private readonly RedisValue _listRecordPrefix;
    private readonly RedisKey _lock;
    private readonly RedisKey[] _transactionKeys = new RedisKey[ParityData.TransactionWrites + 1];
    private readonly RedisValue[] _transactionArgs = new RedisValue[3 * ParityData.TransactionWrites];

    public RawRedisSide(string configuration, bool rememberCommits = false)
    {
        _rememberCommits = rememberCommits;
        _prefix = rememberCommits ? "rf" : "rw";
        _set = Remembering(SetScript);
        _cas = Remembering(CasScript);
        _delete = Remembering(DeleteScript);
        _transaction = Remembering(TransactionScript);
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        _multiplexer = ConnectionMultiplexer.Connect(options);
        _db = _multiplexer.GetDatabase();
        _writeRecordPrefix = RecordPrefix(ParityData.WriteOwner);
        _writeIndex = Index(ParityData.WriteOwner);
        _getRecordPrefix = RecordPrefix(ParityData.GetOwner);
        _listIndex = Index(ParityData.ListOwner);
        _listRecordPrefix = RecordPrefix(ParityData.ListOwner);
        _lock = _prefix + ":l:" + ParityData.RawOwner(ParityData.WriteOwner) + ":" + ParityData.LockKey;
        for (var i = 0; i < ParityData.TransactionWrites; i++)
        {
            var key = ParityData.Key(ParityData.TransactionKeys + i);
            _transactionKeys[i] = _writeRecordPrefix + key;
            _transactionArgs[(2 * ParityData.TransactionWrites) + i] = key;
        }

        _transactionKeys[^1] = _writeIndex;
    }

    private string RecordPrefix(int owner) => _prefix + ":r:" + ParityData.RawOwner(owner) + ":";

    private RedisKey Index(int owner) => _prefix + ":i:" + ParityData.RawOwner(owner);

    /// <summary>Whether the side has the operation: the floor has the writes only.</summary>
    public override bool Supports(ParityOp op) => !_rememberCommits || op is ParityOp.Set or ParityOp.CompareAndSet or ParityOp.Delete or ParityOp.Transaction;

    private string Remembering(string script) => _rememberCommits ? RememberHead + script + RememberTail : script;

    /// <summary>The write's arguments, and for the floor a fresh commit id after them.</summary>
    private RedisValue[] WithCommitId(RedisValue[] args) => _rememberCommits ? [.. args, Guid.NewGuid().ToString("N")] : args;

    /// <summary>Writes the data set, pipelined one owner at a time.</summary>
    public async Task SeedAsync()
    {
        for (var o = 0; o < ParityData.Owners; o++)
        {
            var prefix = RecordPrefix(o);
            var index = Index(o);
            var pending = new List<Task>(ParityData.RecordsPerOwner);
            for (var i = 0; i < ParityData.RecordsPerOwner; i++)
            {
                pending.Add(_db.ScriptEvaluateAsync(SetScript, [prefix + ParityData.Key(i), index], [ParityData.Serialize(ParityData.Create(o, i)), ParityData.Key(i)]));
            }

            await Task.WhenAll(pending);
        }
    }

    protected override long ReadVersion(int keyIndex) => (long)_db.HashGet(_writeRecordPrefix + ParityData.Key(keyIndex), "n");

    protected override long ReadOne(string key) => GetAsync(key).GetAwaiter().GetResult();

    private async Task<long> GetAsync(string key)
    {
        var fields = await _db.HashGetAsync(_getRecordPrefix + key, s_fields);
        return fields[0].IsNull ? throw new InvalidOperationException("absent") : JsonSerializer.Deserialize((byte[])fields[0]!, ParityData.TypeInfo)!.Count + (long)fields[1];
    }

    protected override long WriteOne(string key) => ScriptAsync(_set, key, [ParityData.Serialize(Value), key]).GetAwaiter().GetResult();

    protected override long CompareAndSet(string key, long expected)
    {
        var version = ScriptAsync(_cas, key, [ParityData.Serialize(Value), key, expected]).GetAwaiter().GetResult();
        return version >= 0 ? version : throw new InvalidOperationException("conflict");
    }

    protected override long Delete(string key)
    {
        WriteOne(key);
        return ScriptAsync(_delete, key, [key]).GetAwaiter().GetResult();
    }

    private async Task<long> ScriptAsync(string script, string key, RedisValue[] args) =>
        (long)(await _db.ScriptEvaluateAsync(script, [_writeRecordPrefix + key, _writeIndex], WithCommitId(args)));

    protected override long Transaction(long[] versions) => TransactionAsync(versions).GetAwaiter().GetResult();

    private async Task<long> TransactionAsync(long[] versions)
    {
        // Each write serializes its value, as ten writes of an application would.
        for (var i = 0; i < versions.Length; i++)
        {
            _transactionArgs[i] = ParityData.Serialize(Value);
            _transactionArgs[versions.Length + i] = versions[i];
        }

        var reply = (RedisResult[])(await _db.ScriptEvaluateAsync(_transaction, _transactionKeys, WithCommitId(_transactionArgs)))!;
        if ((long)reply[0] < 0)
        {
            throw new InvalidOperationException("conflict");
        }

        for (var i = 0; i < versions.Length; i++)
        {
            versions[i] = (long)reply[i];
        }

        return versions[0];
    }

    protected override long List() => ListAsync().GetAwaiter().GetResult();

    private async Task<long> ListAsync()
    {
        var reply = (RedisResult[])(await _db.ScriptEvaluateAsync(ListScript, [_listIndex], [_listRecordPrefix]))!;
        var (count, sum) = (0, 0L);
        for (var i = 0; i < reply.Length; i += 3)
        {
            var note = JsonSerializer.Deserialize((byte[])reply[i + 2]!, ParityData.TypeInfo)!;
            count++;
            sum += note.Count + (long)reply[i + 1] + ((string)reply[i]!).Length;
        }

        return CheckListed(count, sum);
    }

    protected override long LockRoundTrip() => LockAsync().GetAwaiter().GetResult();

    private async Task<long> LockAsync()
    {
        var token = Random.Shared.NextInt64();
        if (!await _db.StringSetAsync(_lock, token, TimeSpan.FromSeconds(30), When.NotExists))
        {
            throw new InvalidOperationException("The lock was taken.");
        }

        return (long)await _db.ScriptEvaluateAsync(UnlockScript, [_lock], [token]);
    }

    public override async ValueTask DisposeAsync() => await _multiplexer.DisposeAsync();
}
