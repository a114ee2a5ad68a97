using System.Buffers.Binary;
using System.Text.Json;
using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// Hand-written StackExchange.Redis sending, per operation, exactly the commands the Redis driver sends on its common
/// path (key prefix <c>rd</c>, the driver's key layout, seeded through a <see cref="RedisStateManager"/>), with the
/// same deserialization as the other sides: what TypedState costs above its own statements is the library's, what
/// these cost above the floor's is the statements'. The script texts, names and argument layouts are the driver's own
/// (<see cref="RedisScripts"/>, <see cref="RedisOwnerKeys"/>), so they cannot drift from it; each script goes by
/// <c>EVALSHA</c>, as the driver sends it. A get is <c>HMGET v n</c> of the record pipelined with <c>EXISTS</c> of the
/// owner's metas (one round trip); a set, compare-and-set or delete one <c>CommitOne</c> with a fresh commit id, the
/// epoch and highest commit sequence seen of the root; the transaction one general <c>Commit</c>; a listing pages of
/// <see cref="RedisStateDriverOptions.ListPageSize"/> by <c>ListPage</c> (two for 500 records); a lock round trip
/// <c>AcquireLock</c> with the manager's default holder, then <c>ReleaseLock</c>. Answers other than the common one
/// (a declined batch, data lost, a conflict) throw: the driver would go on in its general path.
/// </summary>
public sealed class RawRedisDriverScriptsSide : ParitySide
{
    /// <summary>The key prefix of this side's store.</summary>
    public const string KeyPrefix = "rd";

    private static readonly RedisValue[] s_recordFields = [RedisKeys.ValueField, RedisKeys.VersionField];
    private static readonly RedisValue s_set = "s";
    private static readonly long s_retentionMs = (long)Math.Ceiling(new RedisStateDriverOptions().CommitIdRetention.TotalMilliseconds);
    private static readonly int s_pageSize = new RedisStateDriverOptions().ListPageSize;

    /// <summary>The lease of every side's lock in microseconds, as the driver rounds it (RedisStateDriver.Locks.cs).</summary>
    internal static readonly long LeaseMicroseconds = (ParityData.LockLease.Ticks + 9) / 10;

    private readonly string _configuration;
    private readonly string _commitOneText;
    private readonly string _commitText;
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly IDatabase _db;
    private readonly RedisValue _root;
    private readonly RedisValue _epochSource = Guid.NewGuid().ToString("N");
    private readonly RedisOwnerKeys _write;
    private readonly RedisOwnerKeys _get;
    private readonly RedisOwnerKeys _list;
    private readonly RedisValue _lockResource = RedisKeys.LockResource(ParityData.LockKey);
    private readonly RedisValue[] _oneArgs = new RedisValue[RedisScripts.CommitOneArgs];
    private readonly RedisValue[] _transactionArgs;
    private readonly RedisValue[] _acquireArgs = new RedisValue[4];
    private readonly RedisValue[] _releaseArgs = new RedisValue[2];
    private byte[] _commitOne = [];
    private byte[] _commit = [];
    private byte[] _listPage = [];
    private byte[] _acquireLock = [];
    private byte[] _releaseLock = [];
    // What the driver would have seen of the write owner's root: its epoch and the highest commit sequence answered.
    private RedisValue _epoch;
    private long _sequence;

    /// <param name="configuration">The server.</param>
    /// <param name="commitOneText">
    /// Another text for the one-write script (redis-server-time's ablation: the driver's with a piece cut); the
    /// driver's by default.
    /// </param>
    /// <param name="commitText">Another text for the general commit script (the transaction), as <paramref name="commitOneText"/>.</param>
    public RawRedisDriverScriptsSide(string configuration, string? commitOneText = null, string? commitText = null)
    {
        _configuration = configuration;
        _commitOneText = commitOneText ?? RedisScripts.CommitOne;
        _commitText = commitText ?? RedisScripts.Commit;
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        _multiplexer = ConnectionMultiplexer.Connect(options);
        _db = _multiplexer.GetDatabase();
        var keys = new RedisKeys(KeyPrefix);
        _root = System.Text.Encoding.UTF8.GetBytes(keys.Root);
        _write = new RedisOwnerKeys(keys, ParityData.Owner(ParityData.WriteOwner));
        _get = new RedisOwnerKeys(keys, ParityData.Owner(ParityData.GetOwner));
        _list = new RedisOwnerKeys(keys, ParityData.Owner(ParityData.ListOwner));
        _transactionArgs = new RedisValue[RedisScripts.CommitHeaderArgs + 2 + (ParityData.TransactionWrites * RedisScripts.CommitArgsPerWrite)];
    }

    /// <summary>
    /// Writes the data set through the library (as TypedStateSide does, under this side's prefix), loads the driver's
    /// scripts and reads the write owner's root marker: what the driver knows once its first commit answered.
    /// </summary>
    public async Task SeedAsync()
    {
        var seeding = new TypedStateSide(new RedisStateManager(new RedisStateDriverOptions { Configuration = _configuration, KeyPrefix = KeyPrefix }));
        await seeding.SeedAsync();
        await seeding.DisposeAsync();
        await AttachAsync();
    }

    /// <summary>Loads the scripts and reads the write owner's root marker, on a store seeded already.</summary>
    public async Task AttachAsync()
    {
        var server = _multiplexer.GetServers().Single(static s => !s.IsReplica);
        _commitOne = await server.ScriptLoadAsync(_commitOneText);
        _commit = await server.ScriptLoadAsync(_commitText);
        _listPage = await server.ScriptLoadAsync(RedisScripts.ListPage);
        _acquireLock = await server.ScriptLoadAsync(RedisScripts.AcquireLock);
        _releaseLock = await server.ScriptLoadAsync(RedisScripts.ReleaseLock);
        var marker = await _db.HashGetAsync(_write.Marker, ["epoch", "seq"]);
        _epoch = marker[0].IsNull ? throw new InvalidOperationException("The seeded root has no marker.") : marker[0];
        _sequence = (long)marker[1];
        Seeded = true;
    }

    /// <summary>Whether <see cref="SeedAsync"/> or <see cref="AttachAsync"/> ran (the side is seeded only when one of its rows is selected).</summary>
    public bool Seeded { get; private set; }

    protected override long ReadVersion(int keyIndex) => (long)_db.HashGet(_write.Record(ParityData.Key(keyIndex)), RedisKeys.VersionField);

    protected override long ReadOne(string key) => GetAsync(key).GetAwaiter().GetResult();

    private async Task<long> GetAsync(string key)
    {
        // The driver's agent read: the record under its first name and whether a removal ever gave the owner another.
        var first = _db.HashGetAsync(_get.Record(key), s_recordFields);
        var removed = _db.KeyExistsAsync(_get.Metas);
        var fields = await first;
        if (await removed != 0 || fields[0].IsNull)
        {
            throw new InvalidOperationException("absent, or in a removed owner's key space");
        }

        return JsonSerializer.Deserialize((byte[])fields[0]!, ParityData.TypeInfo)!.Count + (long)fields[1];
    }

    protected override long WriteOne(string key) => CommitOneAsync(set: true, key, null).GetAwaiter().GetResult();

    protected override long CompareAndSet(string key, long expected) => CommitOneAsync(set: true, key, expected).GetAwaiter().GetResult();

    protected override long Delete(string key)
    {
        WriteOne(key);
        return CommitOneAsync(set: false, key, null).GetAwaiter().GetResult() > 0 ? 1 : 0;
    }

    /// <summary>One <see cref="RedisScripts.CommitOne"/>, its ARGV as the driver builds it (RedisStateDriver.CommitOne.cs).</summary>
    private async Task<long> CommitOneAsync(bool set, string key, long? expected)
    {
        var args = _oneArgs;
        Span<byte> id = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(id, bigEndian: true, out _);
        args[0] = _write.CommitIds;
        args[1] = BinaryPrimitives.ReadUInt32BigEndian(id);
        args[2] = BinaryPrimitives.ReadUInt32BigEndian(id[4..]);
        args[3] = BinaryPrimitives.ReadUInt32BigEndian(id[8..]);
        args[4] = BinaryPrimitives.ReadUInt32BigEndian(id[12..]);
        args[5] = s_retentionMs;
        args[6] = _epochSource;
        args[7] = _epoch;
        args[8] = _sequence;
        args[9] = set ? "s" : "d";
        args[10] = expected is { } version ? version : RedisValue.EmptyString;
        // The manager serializes the value of every set, as an application's write would.
        args[11] = set ? ParityData.Serialize(Value) : RedisValue.EmptyString;
        args[12] = key;
        args[13] = _write.RecordBaseValue;
        args[14] = _write.ScopeLetter;
        args[15] = _write.Member;
        args[16] = _write.Tag;
        var reply = (RedisResult[])(await _db.ScriptEvaluateAsync(_commitOne, _write.OneWriteKeys, args))!;
        var status = (long)reply[0];
        if (status < 0 || reply.Length != 2)
        {
            throw new InvalidOperationException($"CommitOne answered {status} with {reply.Length} entries: not the common answer.");
        }

        _sequence = Math.Max(_sequence, (long)reply[1]);
        return status;
    }

    protected override long Transaction(long[] versions) => TransactionAsync(versions).GetAwaiter().GetResult();

    /// <summary>One general <see cref="RedisScripts.Commit"/>, its ARGV as the driver builds it (RedisStateDriver.Commit.cs).</summary>
    private async Task<long> TransactionAsync(long[] versions)
    {
        var args = _transactionArgs;
        var commitId = new byte[32];
        Guid.NewGuid().TryFormat(commitId, out _, "N");
        args[0] = 0;
        args[1] = versions.Length;
        args[2] = _root;
        args[3] = 1;
        args[4] = commitId;
        args[5] = s_retentionMs;
        args[6] = _epochSource;
        args[7] = _epoch;
        args[8] = _sequence;
        var a = RedisScripts.CommitHeaderArgs + 2;
        for (var i = 0; i < versions.Length; i++)
        {
            args[a++] = s_set;
            args[a++] = versions[i];
            args[a++] = ParityData.Serialize(Value);
            args[a++] = ParityData.Key(ParityData.TransactionKeys + i);
            args[a++] = _write.Tag;
            args[a++] = _write.GuildTag;
            args[a++] = _write.Member;
        }

        var reply = (RedisResult[])(await _db.ScriptEvaluateAsync(_commit, _write.MarkerKeys, args))!;
        if ((long)reply[0] != 0 || (long)reply[1] != 1 || !((RedisValue)reply[2]).IsNullOrEmpty)
        {
            throw new InvalidOperationException($"Commit answered status {(long)reply[0]}: not the common answer.");
        }

        _sequence = Math.Max(_sequence, (long)reply[3]);
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i] = (long)reply[4 + i];
        }

        return versions[0];
    }

    protected override long List() => ListAsync().GetAwaiter().GetResult();

    /// <summary>The listing's pages of <see cref="RedisScripts.ListPage"/>, continued after the last key scanned.</summary>
    private async Task<long> ListAsync()
    {
        var (count, sum) = (0, 0L);
        RedisValue min = "-";
        while (true)
        {
            RedisValue[] args = [_root, _list.Tag, _list.GuildTag, min, "+", s_pageSize];
            var page = (RedisResult[])(await _db.ScriptEvaluateAsync(_listPage, _list.MarkerKeys, args))!;
            for (var i = 2; i + 2 < page.Length; i += 3)
            {
                var note = JsonSerializer.Deserialize((byte[])page[i + 1]!, ParityData.TypeInfo)!;
                count++;
                sum += note.Count + (long)page[i + 2] + ((string)page[i]!).Length;
            }

            if ((long)page[0] < s_pageSize)
            {
                return CheckListed(count, sum);
            }

            byte[] after = [.. "("u8, .. (byte[])page[1]!];
            min = after;
        }
    }

    protected override long LockRoundTrip() => LockAsync().GetAwaiter().GetResult();

    private async Task<long> LockAsync()
    {
        _acquireArgs[0] = _lockResource;
        _acquireArgs[1] = LeaseMicroseconds;
        _acquireArgs[2] = ParityData.LockHolder;
        _acquireArgs[3] = _write.LockOwnerMember;
        var reply = await _db.ScriptEvaluateAsync(_acquireLock, _write.AcquireLockKeys, _acquireArgs);
        if (reply.IsNull)
        {
            throw new InvalidOperationException("The lock was taken.");
        }

        _releaseArgs[0] = _lockResource;
        _releaseArgs[1] = (long)((RedisResult[])reply!)[0];
        return (long)await _db.ScriptEvaluateAsync(_releaseLock, _write.LockKeys, _releaseArgs);
    }

    public override async ValueTask DisposeAsync() => await _multiplexer.DisposeAsync();
}
