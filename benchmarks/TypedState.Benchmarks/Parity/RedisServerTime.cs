using System.Globalization;
using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// <c>redis-server-time</c>: where the Redis server's time per operation goes. Each side of <c>parity</c> (raw, floor,
/// the raw client running the driver's statements, TypedState) runs each operation alone, <c>--ops</c> times after a
/// warm-up, between a <c>CONFIG RESETSTAT</c> and an <c>INFO commandstats</c>: the server's µs per operation (the
/// scripts' time, which holds their inner commands, plus the commands sent outside a script) and the commands each
/// operation runs, inner ones included (so the driver's statements can be checked to be TypedState's). Then the
/// ablation: copies of the driver's one-write script (<see cref="RedisScripts.CommitOne"/>) each with one piece of
/// bookkeeping cut, run as the set and the delete-after-a-set of the driver's statements, on the same store; copies of
/// the general commit script (<see cref="RedisScripts.Commit"/>) likewise, run as the transaction of ten writes; the lock
/// scripts likewise, acquire and release apart, beside the raw client's lock (RedisServerTime.Locks.cs).
/// <c>--runs</c> rounds (sides and variants alternated within each; a listing runs a twentieth of <c>--ops</c>), medians printed; µs from commandstats hold
/// fairly well under load, wall-clock figures are not taken.
/// Usage: <c>redis-server-time [--runs 5] [--ops 2000] [--filter TEXT]</c> (the filter picks operations and
/// variants by name; <c>--filter lock</c>: the lock round trip and the lock scripts' variants alone);
/// <c>TYPEDSTATE_BENCH_REDIS=host:port</c> uses a server started by hand.
/// </summary>
public static partial class RedisServerTime
{
    private static IReadOnlyList<(ParityOp Op, string Name)> Ops => ParityBenchmarks.Operations;

    /// <summary>
    /// The pieces cut, each as (name, what the piece serves, the text of <see cref="RedisScripts.CommitOne"/> to
    /// replace, its replacement); a piece whose text is no longer in the script stops the run.
    /// </summary>
    private static readonly (string Name, (string Find, string Replace)[] Cuts)[] s_variants =
    [
        ("full script (as the driver sends it)", []),
        ("the call alone: returns at once, same KEYS and ARGV", [("*", "return { 1, 1 }")]),
        ("commit-id name by concatenation, not string.format of four numbers", [("string.format('%s%08x%08x%08x%08x', remember, ARGV[2], ARGV[3], ARGV[4], ARGV[5])", "remember .. ARGV[2] .. ARGV[3]")]),
        ("no commit-id memory (name, GET, SET PX)", [("local remember = ARGV[1]", "local remember = ''")]),
        ("no commit-id lookup (GET) only", [("local remembered = redis.call('GET', remember)", "local remembered = false")]),
        ("no root marker read (HMGET epoch floor seq tl)", [("local store = redis.call('HMGET', KEYS[1], 'epoch', 'floor', 'seq', 'tl')", "local store = { ARGV[8], '0', ARGV[9], false }")]),
        ("no commit sequence count (HINCRBY seq)", [("local sequence = redis.call('HINCRBY', KEYS[1], 'seq', 1)", "local sequence = tonumber(ARGV[9])")]),
        ("no key-space check (EXISTS metas)", [("(scope == 'a' and redis.call('EXISTS', KEYS[2], KEYS[3]) > 0)", "(scope == 'a' and false)")]),
        ("no owner set (ZADD on every set)", [("redis.call('ZADD', KEYS[6], 0, member)", "")]),
        ("no tombstone set (SADD on delete, SREM on a set over one)", [("redis.call('SADD', KEYS[5], key)", ""), ("redis.call('SREM', KEYS[5], key)", "")]),
        ("no tombstone version (DEL, not HDEL v + HSET n)", [("redis.call('HDEL', record, 'v')\n  redis.call('HSET', record, 'n', math.max(live, epoch_floor) + 1)", "redis.call('DEL', record)")]),
        ("no emptied-owner check on delete (EXISTS index, ZREM owner set)", [("if scope ~= '' and redis.call('EXISTS', KEYS[4]) == 0 then", "if false then")]),
        ("no owner-set, key-space and tombstone upkeep (the floor's work left)",
        [
            ("(scope == 'a' and redis.call('EXISTS', KEYS[2], KEYS[3]) > 0)", "(scope == 'a' and false)"),
            ("redis.call('ZADD', KEYS[6], 0, member)", ""),
            ("redis.call('SADD', KEYS[5], key)", ""),
            ("redis.call('SREM', KEYS[5], key)", ""),
            ("if scope ~= '' and redis.call('EXISTS', KEYS[4]) == 0 then", "if false then"),
        ]),
    ];

    /// <summary>The pieces cut from the general commit script (<see cref="RedisScripts.Commit"/>), run as the transaction.</summary>
    private static readonly (string Name, (string Find, string Replace)[] Cuts)[] s_transactionVariants =
    [
        ("transaction: full general script (as the driver sends it)", []),
        ("transaction: the call alone, returns at once", [("*", "return { 0, 1, '', 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }")]),
        ("transaction: no commit-id memory (GET, SET PX)", [("local nf, nw, root, nr, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5]", "local nf, nw, root, nr, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ''")]),
        ("transaction: no root marker read (HMGET)", [("local store = redis.call('HMGET', KEYS[r], 'epoch', 'floor', 'seq', 'tl')", "local store = { ARGV[a], '0', ARGV[a + 1], false }")]),
        ("transaction: no commit sequence count (HINCRBY seq)", [("out[#out + 1] = redis.call('HINCRBY', KEYS[r], 'seq', 1)", "out[#out + 1] = tonumber(ARGV[9])")]),
        ("transaction: no key-space check (EXISTS metas)", [("redis.call('EXISTS', root .. 'm:' .. guild_tag, root .. 'm:' .. tag) == 0", "true")]),
        ("transaction: no owner set (ZADD once per batch)", [("redis.call('ZADD', wroot .. (tag == guild_tag and 'o:guild' or 'o:agent'), 0, owner)", "")]),
        ("transaction: no timeline functions defined (never called without a timeline)", [(RedisScripts.TimelineWriting, "")]),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args, "redis-server-time [--runs 5] [--ops 2000] [--filter TEXT]", "--runs", "--ops", "--filter") is not { } options)
        {
            return 2;
        }

        var (runs, ops) = (options.Runs ?? 5, options.Operations ?? 2000);

        var external = Environment.GetEnvironmentVariable("TYPEDSTATE_BENCH_REDIS");
        using var redis = string.IsNullOrEmpty(external) ? await EphemeralRedis.StartAsync() : null;
        var configuration = redis?.Configuration ?? external!;
        var adminOptions = ConfigurationOptions.Parse(configuration);
        adminOptions.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(adminOptions);
        var server = admin.GetServers().Single(static s => !s.IsReplica);
        Console.WriteLine($"Redis server time per operation: {runs} runs of {ops} operations per cell, {server.Version}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

        var typed = new TypedStateSide(new RedisStateManager(new RedisStateDriverOptions { Configuration = configuration, KeyPrefix = "ts" }));
        var raw = new RawRedisSide(configuration);
        var floor = new RawRedisSide(configuration, rememberCommits: true);
        var same = new RawRedisDriverScriptsSide(configuration);
        await typed.SeedAsync();
        await raw.SeedAsync();
        await floor.SeedAsync();
        await same.SeedAsync();
        var variants = new List<(string Name, RawRedisDriverScriptsSide Side)>();
        foreach (var (name, cuts) in s_variants.Where(v => options.Selected(v.Name)))
        {
            var variant = new RawRedisDriverScriptsSide(configuration, Cut(RedisScripts.CommitOne, cuts));
            await variant.AttachAsync();
            variants.Add((name, variant));
        }

        var transactionVariants = new List<(string Name, RawRedisDriverScriptsSide Side)>();
        foreach (var (name, cuts) in s_transactionVariants.Where(v => options.Selected(v.Name)))
        {
            var variant = new RawRedisDriverScriptsSide(configuration, commitText: Cut(RedisScripts.Commit, cuts));
            await variant.AttachAsync();
            transactionVariants.Add((name, variant));
        }

        var lockVariants = await LoadLockVariantsAsync(server, options.Selected);
        var lockCall = new LockCall();

        ParitySide[] sides = [raw, floor, same, typed];
        string[] names = ["raw", "floor", "driver's statements", "TypedState"];
        foreach (var side in sides)
        {
            side.Prepare();
        }

        foreach (var (_, side) in variants)
        {
            side.Prepare();
        }

        // Per (op, side): µs per operation of each run, and the commands per operation of the last.
        var perOp = new Dictionary<(ParityOp, int), List<double>>();
        var commands = new Dictionary<(ParityOp, int), string>();
        var ablation = new Dictionary<(ParityOp, int), List<double>>();
        var calls = new Dictionary<string, List<double>>();
        var transactionAblation = new Dictionary<string, List<double>>();
        var lockAblation = lockVariants.ToDictionary(static v => v.Name, static _ => (Acquire: new List<double>(), Release: new List<double>(), RoundTrip: new List<double>()));
        var lockCommands = new Dictionary<string, string>();
        var rawLock = (Set: new List<double>(), Unlock: new List<double>(), RoundTrip: new List<double>());
        var lockCalls = new Dictionary<string, List<double>>();
        var empty = await server.ScriptLoadAsync(EmptyScript);
        for (var run = 0; run < runs; run++)
        {
            foreach (var (op, name) in Ops.Where(o => options.Selected(o.Name)))
            {
                for (var s = 0; s < sides.Length; s++)
                {
                    if (!sides[s].Supports(op))
                    {
                        continue;
                    }

                    var (micros, listed) = Measure(server, sides[s], op, ops);
                    Add(perOp, (op, s), micros);
                    commands[(op, s)] = listed;
                }
            }

            foreach (var op in new[] { ParityOp.Set, ParityOp.Delete })
            {
                for (var v = 0; v < variants.Count; v++)
                {
                    Add(ablation, (op, v), Measure(server, variants[v].Side, op, ops).Micros);
                }
            }

            foreach (var (name, side) in transactionVariants)
            {
                Add(transactionAblation, name, Measure(server, side, ParityOp.Transaction, ops).Micros);
            }

            if (variants.Count > 0)
            {
                foreach (var (name, keys, values) in CallShapes())
                {
                    Add(calls, name, MeasureCall(server, admin.GetDatabase(), empty, keys, values, ops));
                }
            }

            foreach (var variant in lockVariants)
            {
                var (acquire, release, listed) = MeasureLock(server, admin.GetDatabase(), lockCall, variant, ops);
                var into = lockAblation[variant.Name];
                into.Acquire.Add(acquire);
                into.Release.Add(release);
                into.RoundTrip.Add(acquire + release);
                lockCommands[variant.Name] = listed;
            }

            if (lockVariants.Count > 0)
            {
                var (set, unlock) = MeasureRawLock(server, raw, ops);
                rawLock.Set.Add(set);
                rawLock.Unlock.Add(unlock);
                rawLock.RoundTrip.Add(set + unlock);
                foreach (var (name, keys, values) in LockCallShapes(lockCall))
                {
                    Add(lockCalls, name, MeasureCall(server, admin.GetDatabase(), empty, keys, values, ops));
                }
            }

            Console.WriteLine($"run {run + 1}/{runs} done, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }

        Console.WriteLine();
        Console.WriteLine("| Operation | Side | Server µs per op, median (min–max) | Commands per op (inner ones included) |");
        Console.WriteLine("|---|---|---:|---|");
        foreach (var ((op, s), values) in perOp)
        {
            Console.WriteLine($"| {Ops.First(o => o.Op == op).Name} | {names[s]} | {Summary(values)} | {commands[(op, s)]} |");
        }

        if (variants.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("| One-write script variant | set: µs per op, median (min–max) | Δ vs full | delete after a set: µs per op (both scripts) | Δ vs full |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            var fullSet = variants[0].Name == s_variants[0].Name ? Median(ablation[(ParityOp.Set, 0)]) : double.NaN;
            var fullDelete = variants[0].Name == s_variants[0].Name ? Median(ablation[(ParityOp.Delete, 0)]) : double.NaN;
            for (var v = 0; v < variants.Count; v++)
            {
                var set = ablation[(ParityOp.Set, v)];
                var delete = ablation[(ParityOp.Delete, v)];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {variants[v].Name} | {Summary(set)} | {Median(set) - fullSet:+0.0;-0.0} | {Summary(delete)} | {Median(delete) - fullDelete:+0.0;-0.0} |"));
            }

            PrintCalls(calls);
        }

        if (transactionAblation.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("| General script variant | transaction of 10: µs per op, median (min–max) | Δ vs full |");
            Console.WriteLine("|---|---:|---:|");
            var full = transactionAblation.TryGetValue(s_transactionVariants[0].Name, out var first) ? Median(first) : double.NaN;
            foreach (var (name, values) in transactionAblation)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Summary(values)} | {Median(values) - full:+0.0;-0.0} |"));
            }
        }

        if (lockVariants.Count > 0)
        {
            PrintLockAblation(lockVariants, lockAblation, lockCommands, rawLock, lockCalls);
        }

        foreach (var side in sides)
        {
            await side.DisposeAsync();
        }

        foreach (var (_, side) in transactionVariants)
        {
            await side.DisposeAsync();
        }

        foreach (var (_, side) in variants)
        {
            await side.DisposeAsync();
        }

        return 0;
    }

    /// <summary>The table of what a script that returns at once costs per call, by the KEYS and ARGV it was called with.</summary>
    private static void PrintCalls(Dictionary<string, List<double>> calls)
    {
        Console.WriteLine();
        Console.WriteLine("| A script that returns at once, called with the KEYS and ARGV of | µs per call, median (min–max) |");
        Console.WriteLine("|---|---:|");
        foreach (var (name, values) in calls)
        {
            Console.WriteLine($"| {name} | {Summary(values)} |");
        }
    }

    // What a call costs the server before any command runs: a script that answers as the one-write script does.
    private const string EmptyScript = "return { 1, 1 }";

    /// <summary>
    /// The KEYS and ARGV of one set of each side (names of the seeded stores, the same value): the driver's one-write
    /// script, the floor's set and the raw client's set, the transaction of the driver (general script) and of the floor.
    /// </summary>
    private static (string Name, RedisKey[] Keys, RedisValue[] Values)[] CallShapes()
    {
        var value = (RedisValue)ParityData.Serialize(ParityData.Create(ParityData.WriteOwner, 0));
        var key = ParityData.Key(0);
        var owner = new RedisOwnerKeys(new RedisKeys(RawRedisDriverScriptsSide.KeyPrefix), ParityData.Owner(ParityData.WriteOwner));
        var rawOwner = ParityData.RawOwner(ParityData.WriteOwner);
        RedisValue[] driver =
        [
            owner.CommitIds, 1234567890L, 1234567890L, 1234567890L, 1234567890L, 600000L, Guid.NewGuid().ToString("N"), "drv-1764900000000000", 123456L,
            "s", RedisValue.EmptyString, value, key, owner.RecordBaseValue, owner.ScopeLetter, owner.Member, owner.Tag,
        ];
        RedisKey[] floorKeys = ["rf:r:" + rawOwner + ":" + key, "rf:i:" + rawOwner];
        // The transaction of ten writes: the general script's header, one root, seven ARGV per write; the floor's ten
        // records and the index, ten values, versions and members and the commit id.
        var writes = Enumerable.Range(ParityData.TransactionKeys, ParityData.TransactionWrites).Select(ParityData.Key).ToArray();
        RedisValue[] driverTransaction =
        [
            0, writes.Length, "{" + RawRedisDriverScriptsSide.KeyPrefix + "}:", 1, Guid.NewGuid().ToString("N"), 600000L, Guid.NewGuid().ToString("N"), "drv-1764900000000000", 123456L,
            .. writes.SelectMany(k => new RedisValue[] { "s", 5L, value, k, owner.Tag, owner.GuildTag, owner.Member }),
        ];
        RedisKey[] floorTransactionKeys = [.. writes.Select(k => (RedisKey)("rf:r:" + rawOwner + ":" + k)), "rf:i:" + rawOwner];
        RedisValue[] floorTransaction = [.. writes.Select(_ => value), .. writes.Select(_ => (RedisValue)5L), .. writes.Select(k => (RedisValue)k), Guid.NewGuid().ToString("N")];
        return
        [
            ("the driver's one-write script (8 KEYS, 17 ARGV)", owner.OneWriteKeys, driver),
            ("the driver's transaction of 10 writes, general script (1 KEY, 79 ARGV)", owner.MarkerKeys, driverTransaction),
            ("the floor's transaction of 10 writes (11 KEYS, 31 ARGV)", floorTransactionKeys, floorTransaction),
            ("the floor's set (2 KEYS, 3 ARGV)", floorKeys, [value, key, Guid.NewGuid().ToString("N")]),
            ("the raw client's set (2 KEYS, 2 ARGV)", ["rw:r:" + rawOwner + ":" + key, "rw:i:" + rawOwner], [value, key]),
        ];
    }

    /// <summary>The server's µs per call of <paramref name="sha1"/> with <paramref name="keys"/> and <paramref name="values"/>.</summary>
    private static double MeasureCall(IServer server, IDatabase db, byte[] sha1, RedisKey[] keys, RedisValue[] values, int count) =>
        CountedStats(server, count, () => db.ScriptEvaluate(sha1, keys, values)).Where(static s => s.Key.StartsWith("eval", StringComparison.Ordinal)).Sum(static s => s.Value.Usec) / (double)count;

    /// <summary>
    /// The server's command statistics of <paramref name="count"/> runs of <paramref name="run"/>, after a warm-up of a
    /// tenth as many (at least 50) outside them.
    /// </summary>
    private static Dictionary<string, (long Calls, long Usec)> CountedStats(IServer server, int count, Action run)
    {
        for (var i = 0; i < Math.Max(50, count / 10); i++)
        {
            run();
        }

        server.ConfigResetStatistics();
        for (var i = 0; i < count; i++)
        {
            run();
        }

        return ParseCommandStats(server.InfoRaw("commandstats") ?? string.Empty);
    }

    /// <summary>The commands run per operation (inner ones included), most frequent first, without the measurement's own.</summary>
    private static string ListCommands(Dictionary<string, (long Calls, long Usec)> stats, int count) =>
        string.Join(", ", stats
            .Where(static s => s.Key is not ("config|resetstat" or "info"))
            .OrderByDescending(static s => s.Value.Calls)
            .ThenBy(static s => s.Key, StringComparer.Ordinal)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value.Calls / (double)count:0.##}")));

    /// <summary>
    /// The script with every cut applied; each cut's text must occur exactly once (<c>*</c>: the whole script).
    /// Lines are compared trimmed: the constants indent their lines as the C# text around them does.
    /// </summary>
    private static string Cut(string script, (string Find, string Replace)[] cuts)
    {
        var text = Normalize(script);
        foreach (var (cut, replace) in cuts)
        {
            if (cut == "*")
            {
                return replace;
            }

            var find = Normalize(cut);
            var at = text.IndexOf(find, StringComparison.Ordinal);
            if (at < 0 || text.IndexOf(find, at + 1, StringComparison.Ordinal) >= 0)
            {
                throw new InvalidOperationException($"The script no longer holds exactly one \"{find}\": update the ablation.");
            }

            text = text.Replace(find, replace, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Each line trimmed, lines joined by a newline and two spaces.</summary>
    private static string Normalize(string text) => string.Join("\n  ", text.Split('\n').Select(static l => l.Trim()));

    /// <summary>Runs <paramref name="op"/> alone: the server's µs per operation, and its commands per operation.</summary>
    private static (double Micros, string Commands) Measure(IServer server, ParitySide side, ParityOp op, int count)
    {
        // A listing runs 500 records' commands: a twentieth as many give as many commands as the other operations.
        count = op == ParityOp.List ? Math.Max(20, count / 20) : count;
        if (op is ParityOp.CompareAndSet or ParityOp.Transaction)
        {
            // The driver's statements and the script variants share a store: start from the versions stored now.
            side.Prepare();
        }

        var stats = CountedStats(server, count, () => side.Run(op));
        // Time outside the scripts: a script's own time holds its inner commands, so only the commands sent alone are
        // added (a get's HMGET and EXISTS; the raw lock's SET NX, whose release script runs no SET).
        var micros = 0.0;
        foreach (var (command, (_, usec)) in stats)
        {
            if (command.StartsWith("eval", StringComparison.Ordinal) || op == ParityOp.Get || (op == ParityOp.Lock && command == "set"))
            {
                micros += usec;
            }
        }

        return (micros / count, ListCommands(stats, count));
    }

    private static Dictionary<string, (long Calls, long Usec)> ParseCommandStats(string info)
    {
        var stats = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n'))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var fields = line[(colon + 1)..].Trim().Split(',').Select(static f => f.Split('=')).ToDictionary(static f => f[0], static f => f[1]);
            stats[line[8..colon]] = (long.Parse(fields["calls"], CultureInfo.InvariantCulture), long.Parse(fields["usec"], CultureInfo.InvariantCulture));
        }

        return stats;
    }

    private static void Add<TKey>(Dictionary<TKey, List<double>> into, TKey key, double value)
        where TKey : notnull
    {
        if (!into.TryGetValue(key, out var list))
        {
            into[key] = list = [];
        }

        list.Add(value);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Summary(List<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(values):0.0} ({values.Min():0.0}–{values.Max():0.0})");
}
