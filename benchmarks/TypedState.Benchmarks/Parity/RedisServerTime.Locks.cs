using System.Globalization;
using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Benchmarks.Parity;

// The lock scripts' ablation: the driver's AcquireLock and ReleaseLock, then copies with one piece cut, each run as the
// lock round trip of the driver's statements (the write owner's lock on the parity key, the manager's default holder,
// a 30 s lease) on the seeded store; beside them the raw client's SET NX PX and compare-and-delete, and two fenced
// locks in the raw client's layout (what fencing tokens alone cost a raw client).
public static partial class RedisServerTime
{
    /// <summary>
    /// The lock pieces cut, each as (name, cuts of <see cref="RedisScripts.AcquireLock"/>, cuts of
    /// <see cref="RedisScripts.ReleaseLock"/>); names start with "lock: " so <c>--filter lock</c> picks them.
    /// </summary>
    private static readonly (string Name, (string Find, string Replace)[] Acquire, (string Find, string Replace)[] Release)[] s_lockVariants =
    [
        ("lock: full scripts (as the driver sends them)", [], []),
        ("lock: no server clock (TIME; a constant now)", [("local time = redis.call('TIME')", "local time = { '1764900000', '0' }")], []),
        ("lock: no conflict check (ZCARD of the held set)", [("local held = redis.call('ZCARD', KEYS[2])", "local held = 0")], []),
        ("lock: no counter read (HGET #; token = now, # still written)", [(AcquireToken, "local token = now")], []),
        ("lock: no clock floor on the token (counter + 1 only)", [(AcquireToken, "local token = tonumber(redis.call('HGET', KEYS[1], '#') or 0) + 1")], []),
        ("lock: no owner counter at all (HGET #, field #)", [(AcquireToken, "local token = now"), (AcquireHolderWrite, "redis.call('HSET', KEYS[1], resource, token, 'w' .. resource, ARGV[3])")], []),
        ("lock: no resource token (field resource; release unchecked)", [(AcquireHolderWrite, "redis.call('HSET', KEYS[1], '#', token, 'w' .. resource, ARGV[3])")], [(ReleaseCheck, "if true then")]),
        ("lock: no holder (field w + resource)", [(AcquireHolderWrite, "redis.call('HSET', KEYS[1], '#', token, resource, token)")], []),
        ("lock: no held-set entry (ZADD h:, the lease itself)", [("redis.call('ZADD', KEYS[2], expires, resource)", "")], []),
        ("lock: no lock owners' set (ZADD lo)", [("redis.call('ZADD', KEYS[3], 0, ARGV[4])", "")], []),
        ("lock: release without the token check (HGET)", [], [(ReleaseCheck, "if true then")]),
        ("lock: none of what the raw client lacks (counter, holder, lock owners' set)",
        [
            (AcquireToken, "local token = now"),
            (AcquireHolderWrite, "redis.call('HSET', KEYS[1], resource, token)"),
            ("redis.call('ZADD', KEYS[3], 0, ARGV[4])", ""),
        ], []),
    ];

    private const string AcquireToken = "local token = math.max(tonumber(redis.call('HGET', KEYS[1], '#') or 0) + 1, now)";
    private const string AcquireHolderWrite = "redis.call('HSET', KEYS[1], '#', token, resource, token, 'w' .. resource, ARGV[3])";
    private const string ReleaseCheck = "if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or 0) == tonumber(ARGV[2]) then";

    /// <summary>
    /// Fenced locks in the raw client's layout (a key per lock with <c>SET NX PX</c>, released by compare-and-delete),
    /// their token from a counter beside it: what a raw client pays for fencing tokens alone, then for tokens that also
    /// never fall below the server clock. No owner lock, no listing, no holder. KEYS: the lock, its counter. ARGV: the
    /// lease in ms. Names start with "lock: " too.
    /// </summary>
    private static readonly (string Name, string Acquire)[] s_fencedFloors =
    [
        ("lock: fenced floor, raw layout: INCR counter, SET NX PX", """
            local token = redis.call('INCR', KEYS[2])
            if redis.call('SET', KEYS[1], token, 'NX', 'PX', ARGV[1]) then
              return { token, 0 }
            end
            return false
            """),
        ("lock: fenced floor, raw layout, token never below the server clock (TIME)", """
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local token = math.max(tonumber(redis.call('GET', KEYS[2]) or 0) + 1, now)
            if redis.call('SET', KEYS[1], token, 'NX', 'PX', ARGV[1]) then
              redis.call('SET', KEYS[2], token)
              return { token, 0 }
            end
            return false
            """),
    ];

    /// <summary>A lock script pair: SHA-1 for EVALSHA, text for EVAL; <paramref name="Floor"/> when in the raw layout.</summary>
    private sealed record LockScripts(string Name, byte[] Acquire, string AcquireText, byte[] Release, string ReleaseText, bool Floor = false);

    /// <summary>The lock of the driver's statements' side: the write owner's key lock, as the driver sends it.</summary>
    private sealed class LockCall
    {
        public LockCall()
        {
            var owner = new RedisOwnerKeys(new RedisKeys(RawRedisDriverScriptsSide.KeyPrefix), ParityData.Owner(ParityData.WriteOwner));
            Owner = owner;
            AcquireArgs = [Resource, RawRedisDriverScriptsSide.LeaseMicroseconds, ParityData.LockHolder, owner.LockOwnerMember];
        }

        public RedisOwnerKeys Owner { get; }

        public RedisValue Resource { get; } = RedisKeys.LockResource(ParityData.LockKey);

        public RedisValue[] AcquireArgs { get; }

        /// <summary>The fenced floors' lock and counter (prefix <c>lf</c>), and their ARGV: the lease in ms.</summary>
        public RedisKey[] FloorKeys { get; } = ["lf:l:" + ParityData.RawOwner(ParityData.WriteOwner) + ":" + ParityData.LockKey, "lf:n:" + ParityData.RawOwner(ParityData.WriteOwner)];

        public RedisValue[] FloorArgs { get; } = [(long)ParityData.LockLease.TotalMilliseconds];
    }

    private static async Task<List<LockScripts>> LoadLockVariantsAsync(IServer server, Func<string, bool> selected)
    {
        var loaded = new List<LockScripts>();
        foreach (var (name, acquireCuts, releaseCuts) in s_lockVariants.Where(v => selected(v.Name)))
        {
            var acquire = Cut(RedisScripts.AcquireLock, acquireCuts);
            var release = Cut(RedisScripts.ReleaseLock, releaseCuts);
            loaded.Add(new LockScripts(name, await server.ScriptLoadAsync(acquire), acquire, await server.ScriptLoadAsync(release), release));
        }

        foreach (var (name, acquire) in s_fencedFloors.Where(v => selected(v.Name)))
        {
            loaded.Add(new LockScripts(name, await server.ScriptLoadAsync(acquire), acquire, await server.ScriptLoadAsync(FloorRelease), FloorRelease, Floor: true));
        }

        return loaded;
    }

    /// <summary>The raw client's compare-and-delete.</summary>
    private const string FloorRelease = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <summary>
    /// The server's µs per acquire and per release of <paramref name="scripts"/>, and the commands per round trip. Two
    /// windows: the acquire by EVALSHA with the release by EVAL, then the other way round, so commandstats' evalsha
    /// line holds the half measured (each as the driver sends it); inner commands are listed from the first window.
    /// </summary>
    private static (double Acquire, double Release, string Commands) MeasureLock(IServer server, IDatabase db, LockCall call, LockScripts scripts, int count)
    {
        var (acquire, commands) = LockWindow(server, db, call, scripts, count, acquireBySha: true);
        var (release, _) = LockWindow(server, db, call, scripts, count, acquireBySha: false);
        return (acquire, release, commands);
    }

    private static (double Micros, string Commands) LockWindow(IServer server, IDatabase db, LockCall call, LockScripts scripts, int count, bool acquireBySha)
    {
        // A variant that leaves its lease held (no release check cut with it) must not turn the next into conflicts.
        db.SortedSetRemove(call.Owner.HeldLocks, call.Resource);
        db.KeyDelete(call.FloorKeys[0]);
        var stats = CountedStats(server, count, () => LockRoundTrip(db, call, scripts, acquireBySha));
        var micros = stats.TryGetValue("evalsha", out var sha) ? sha.Usec / (double)count : double.NaN;
        return (micros, ListCommands(stats, count));
    }

    private static void LockRoundTrip(IDatabase db, LockCall call, LockScripts scripts, bool acquireBySha)
    {
        var (acquireKeys, acquireArgs) = scripts.Floor ? (call.FloorKeys, call.FloorArgs) : (call.Owner.AcquireLockKeys, call.AcquireArgs);
        var reply = acquireBySha ? db.ScriptEvaluate(scripts.Acquire, acquireKeys, acquireArgs) : Eval(db, scripts.AcquireText, acquireKeys, acquireArgs);
        if (reply.IsNull)
        {
            throw new InvalidOperationException($"{scripts.Name}: the lock was taken, the round trip would measure a conflict.");
        }

        var token = (long)((RedisResult[])reply!)[0];
        var (releaseKeys, release) = scripts.Floor ? ([call.FloorKeys[0]], [token]) : (call.Owner.LockKeys, new RedisValue[] { call.Resource, token });
        var released = acquireBySha ? Eval(db, scripts.ReleaseText, releaseKeys, release) : db.ScriptEvaluate(scripts.Release, releaseKeys, release);
        if (scripts.Floor && (long)released != 1)
        {
            throw new InvalidOperationException($"{scripts.Name}: the release did not find its token.");
        }
    }

    /// <summary>EVAL of the text (the client would send EVALSHA for a script it knows loaded).</summary>
    private static RedisResult Eval(IDatabase db, string text, RedisKey[] keys, RedisValue[] values)
    {
        var args = new object[2 + keys.Length + values.Length];
        args[0] = text;
        args[1] = keys.Length;
        for (var i = 0; i < keys.Length; i++)
        {
            args[2 + i] = keys[i];
        }

        for (var i = 0; i < values.Length; i++)
        {
            args[2 + keys.Length + i] = (byte[])values[i]!;
        }

        return db.Execute("EVAL", args);
    }

    /// <summary>The raw client's lock round trip: µs of its <c>SET NX PX</c> and of its compare-and-delete script.</summary>
    private static (double Set, double Unlock) MeasureRawLock(IServer server, RawRedisSide raw, int count)
    {
        var stats = CountedStats(server, count, () => raw.Run(ParityOp.Lock));
        return (stats["set"].Usec / (double)count, stats["evalsha"].Usec / (double)count);
    }

    /// <summary>The KEYS and ARGV of each lock call, for a script that returns at once.</summary>
    private static (string Name, RedisKey[] Keys, RedisValue[] Values)[] LockCallShapes(LockCall call) =>
    [
        ("the driver's acquire (3 KEYS, 4 ARGV)", call.Owner.AcquireLockKeys, call.AcquireArgs),
        ("the driver's release (2 KEYS, 2 ARGV)", call.Owner.LockKeys, [call.Resource, 1764900000000000L]),
        ("the raw client's compare-and-delete (1 KEY, 1 ARGV)", ["rw:l:" + ParityData.RawOwner(ParityData.WriteOwner) + ":" + ParityData.LockKey], [Random.Shared.NextInt64()]),
    ];

    private static void PrintLockAblation(
        List<LockScripts> variants,
        Dictionary<string, (List<double> Acquire, List<double> Release, List<double> RoundTrip)> measured,
        Dictionary<string, string> commands,
        (List<double> Set, List<double> Unlock, List<double> RoundTrip) raw,
        Dictionary<string, List<double>> calls)
    {
        Console.WriteLine();
        Console.WriteLine("| Lock scripts variant | acquire µs, median (min–max) | release µs | round trip µs | Δ round trip vs full | commands per round trip (first window) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        var full = measured.TryGetValue(s_lockVariants[0].Name, out var first) ? Median(first.RoundTrip) : double.NaN;
        foreach (var variant in variants)
        {
            var (acquire, release, roundTrip) = measured[variant.Name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {variant.Name} | {Summary(acquire)} | {Summary(release)} | {Summary(roundTrip)} | {Math.Round(Median(roundTrip) - full, 1):+0.0;-0.0;0.0} | {commands[variant.Name]} |"));
        }

        if (raw.RoundTrip.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| raw client: SET NX PX, compare-and-delete script | {Summary(raw.Set)} | {Summary(raw.Unlock)} | {Summary(raw.RoundTrip)} | {Math.Round(Median(raw.RoundTrip) - full, 1):+0.0;-0.0;0.0} | set 1, evalsha 1: get, del |"));
        }

        PrintCalls(calls);
    }
}
