using System.Diagnostics;
using System.Globalization;
using TypedState.InMemory;
using TypedState.Sqlite;
using static TypedState.Benchmarks.Interleaved;

namespace TypedState.Benchmarks;

/// <summary>
/// <c>drivers</c>: starts an ephemeral redis-server and PostgreSQL 15, then
/// <list type="number">
/// <item>Redis set/get: TypedState vs raw StackExchange.Redis running the driver's commands (interleaved);</item>
/// <item>PostgreSQL set/get: TypedState vs raw Npgsql, prepared (the goal's baseline) and unprepared, and the driver alone (interleaved);</item>
/// <item>a 10-operation transaction (5 reads + 5 writes over 5 owners of all three scopes, committed) on every driver,
/// interleaved against the same 10 operations run singly (ratio = transaction / 10 singles);</item>
/// <item>16 concurrent callers running optimistic <c>UpdateAsync</c> on distinct keys and on one hot key: ops/s.</item>
/// </list>
/// Usage: <c>drivers [--rounds 40] [--block-ms 25] [--seconds 2] [--filter text] [--aa]</c>.
/// </summary>
public static class DriverBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args, "drivers [--rounds N] [--block-ms MS] [--seconds S] [--filter TEXT] [--aa]", "--rounds", "--block-ms", "--seconds", "--filter", "--aa") is not { } options)
        {
            return 2;
        }

        var (rounds, blockMs, seconds, aa) = (options.Rounds, options.BlockMs, options.Seconds, options.AA);
        bool Selected(string name) => options.Selected(name);

        var watch = Stopwatch.StartNew();
        using var redis = await EphemeralRedis.StartAsync();
        using var postgres = new EphemeralPostgres();
        Console.WriteLine($"Servers: redis-server on {redis.Port}, PostgreSQL 15 on {postgres.Port} (fsync=off, synchronous_commit=off), started in {watch.ElapsedMilliseconds} ms");
        Console.WriteLine($"{rounds} rounds, ~{blockMs.ToString(CultureInfo.InvariantCulture)} ms per block, .NET {Environment.Version}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        Console.WriteLine("| Comparison | Raw median | TypedState median | Ratio median | Ratio p10–p90 | Ratio min–max | Ratio of best blocks | Raw alloc/op | TypedState alloc/op |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");

        var redisFixture = new RedisFixture(redis.Configuration);
        if (Selected("Redis set"))
        {
            Compare("Redis set", new Op(redisFixture.RawSet), new Op(redisFixture.TypedStateSet), rounds, blockMs, processAllocations: true);
            Compare("(step) Redis set: raw vs driver CommitAsync only", new Op(redisFixture.RawSet), new Op(redisFixture.DriverSet), rounds, blockMs, processAllocations: true);
            if (aa)
            {
                Compare("A/A: Redis set, raw vs raw", new Op(redisFixture.RawSet), new Op(redisFixture.RawSet), rounds, blockMs, processAllocations: true);
            }
        }

        if (Selected("Redis get"))
        {
            Compare("Redis get", new GetOp(redisFixture.RawGet), new GetOp(redisFixture.TypedStateGet), rounds, blockMs, processAllocations: true);
            Compare("(step) Redis get: raw vs driver ReadAsync + deserialize", new GetOp(redisFixture.RawGet), new GetOp(redisFixture.DriverGet), rounds, blockMs, processAllocations: true);
            if (aa)
            {
                Compare("A/A: Redis get, raw vs raw", new GetOp(redisFixture.RawGet), new GetOp(redisFixture.RawGet), rounds, blockMs, processAllocations: true);
            }
        }

        var pgFixture = new PostgresFixture(postgres.ConnectionString);
        if (Selected("PostgreSQL set"))
        {
            Compare("PostgreSQL set (raw prepared)", new Op(pgFixture.RawSet), new Op(pgFixture.TypedStateSet), rounds, blockMs, processAllocations: true);
            Compare("(step) PostgreSQL set: raw prepared vs driver CommitAsync only", new Op(pgFixture.RawSet), new Op(pgFixture.DriverSet), rounds, blockMs, processAllocations: true);
            Compare("PostgreSQL set (raw unprepared, a pooled connection and new command per call)", new Op(pgFixture.RawUnpreparedSet), new Op(pgFixture.TypedStateSet), rounds, blockMs, processAllocations: true);
            Compare("(step) PostgreSQL set: raw prepared vs raw unprepared (Npgsql's per-call connection rent and command)", new Op(pgFixture.RawSet), new Op(pgFixture.RawUnpreparedSet), rounds, blockMs, processAllocations: true);

            // The guild timeline: the same set, and a two-record transaction, with the guild's log off (the "raw" column) and on.
            Compare("PostgreSQL set (timeline): set, log off vs on", new Op(() => pgFixture.GuildSet(false)), new Op(() => pgFixture.GuildSet(true)), rounds, blockMs, processAllocations: true);
            Compare("PostgreSQL set (timeline): 2-record transaction, log off vs on", new Op(() => pgFixture.GuildTransaction(false)), new Op(() => pgFixture.GuildTransaction(true)), rounds, blockMs, processAllocations: true);
            if (aa)
            {
                Compare("A/A: PostgreSQL set, raw prepared vs itself", new Op(pgFixture.RawSet), new Op(pgFixture.RawSet), rounds, blockMs, processAllocations: true);
            }
        }

        if (Selected("PostgreSQL get"))
        {
            Compare("PostgreSQL get (raw prepared)", new GetOp(pgFixture.RawGet), new GetOp(pgFixture.TypedStateGet), rounds, blockMs, processAllocations: true);
            Compare("(step) PostgreSQL get: raw prepared vs driver ReadAsync + deserialize", new GetOp(pgFixture.RawGet), new GetOp(pgFixture.DriverGet), rounds, blockMs, processAllocations: true);
            Compare("PostgreSQL get (raw unprepared, a pooled connection and new command per call)", new GetOp(pgFixture.RawUnpreparedGet), new GetOp(pgFixture.TypedStateGet), rounds, blockMs, processAllocations: true);
            if (aa)
            {
                Compare("A/A: PostgreSQL get, raw prepared vs itself", new GetOp(pgFixture.RawGet), new GetOp(pgFixture.RawGet), rounds, blockMs, processAllocations: true);
            }
        }

        var directory = Directory.CreateTempSubdirectory("typedstate-bench-drivers-").FullName;
        var sqlite = new SqliteStateManager(new SqliteStateDriverOptions
        {
            ConnectionString = "Data Source=" + Path.Combine(directory, "typedstate.db"),
            Synchronous = SqliteSynchronousMode.Normal,
        });
        var drivers = new (string Name, StateManager Manager)[]
        {
            ("in-memory", new StateManager(new InMemoryStateDriver())),
            ("SQLite (synchronous NORMAL)", sqlite),
            ("Redis", redisFixture.Manager),
            ("PostgreSQL", pgFixture.Manager),
        };

        if (Selected("transaction"))
        {
            Console.WriteLine();
            Console.WriteLine("Transaction of 10 operations (5 reads + 5 writes, 5 owners: 2 agents, 2 guilds, global), committed. \"Raw\" columns = the same 10 operations as single calls; ratio = transaction / 10 singles.");
            Console.WriteLine();
            Console.WriteLine("| Driver | 10 singles median | Transaction median | Ratio median | Ratio p10–p90 | Ratio min–max | Ratio of best blocks | 10 singles alloc | Transaction alloc |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, manager) in drivers)
            {
                var workload = new TransactionWorkload(manager);
                Compare($"{name}: transaction", new Op(workload.Singles), new Op(workload.Transaction), rounds, blockMs, processAllocations: true);
            }
        }

        if (Selected("throughput"))
        {
            Console.WriteLine();
            Console.WriteLine($"16 concurrent callers, UpdateAsync (optimistic, default retries), {seconds.ToString(CultureInfo.InvariantCulture)} s each after 0.5 s warm-up.");
            Console.WriteLine();
            Console.WriteLine("| Driver | Distinct keys: ops/s | attempts/op | One hot key: ops/s | attempts/op |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, manager) in drivers)
            {
                var distinct = await Throughput.RunAsync(manager, hot: false, seconds);
                var hot = await Throughput.RunAsync(manager, hot: true, seconds);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {name} | {distinct.OpsPerSecond:F0} | {distinct.AttemptsPerOp:F2} | {hot.OpsPerSecond:F0} | {hot.AttemptsPerOp:F2} |"));
            }
        }

        await drivers[0].Manager.DisposeAsync();
        await sqlite.DisposeAsync();
        await redisFixture.DisposeAsync();
        await pgFixture.DisposeAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.KeepAlive(s_sink);
        return 0;
    }

    private readonly struct Op(Func<long> run) : IOp
    {
        public void Run() => s_sink += run();
    }

    private readonly struct GetOp(Func<Profile?> run) : IOp
    {
        public void Run() => s_sink += run()!.Count;
    }
}

/// <summary>5 reads and 5 writes over five owners, as one committed transaction or as ten single calls.</summary>
public sealed class TransactionWorkload
{
    private static readonly StateOwner[] s_owners =
    [
        StateOwner.Agent(Sample.GuildId, Sample.AgentId),
        StateOwner.Guild(Sample.GuildId),
        StateOwner.Global,
        StateOwner.Agent(Sample.GuildId, "agent-2"),
        StateOwner.Guild("guild-2"),
    ];

    private static readonly string[] s_readKeys = ["tx-read-0", "tx-read-1", "tx-read-2", "tx-read-3", "tx-read-4"];
    private static readonly string[] s_writeKeys = ["tx-write-0", "tx-write-1", "tx-write-2", "tx-write-3", "tx-write-4"];

    private readonly StateManager _manager;
    private readonly Profile _value = Sample.Create();

    public TransactionWorkload(StateManager manager)
    {
        _manager = manager;
        for (var i = 0; i < s_owners.Length; i++)
        {
            manager.SetAsync(s_owners[i], s_readKeys[i], _value, Sample.TypeInfo).Wait();
        }

        if (Transaction() != 5 * _value.Count || Singles() != 5 * _value.Count)
        {
            throw new InvalidOperationException("The transaction workload did not read its records.");
        }
    }

    public long Singles() => SinglesAsync().AsTask().GetAwaiter().GetResult();

    public long Transaction() => TransactionAsync().AsTask().GetAwaiter().GetResult();

    private async ValueTask<long> SinglesAsync()
    {
        long sum = 0;
        for (var i = 0; i < s_owners.Length; i++)
        {
            sum += (await _manager.GetAsync(s_owners[i], s_readKeys[i], Sample.TypeInfo)).Value!.Count;
        }

        for (var i = 0; i < s_owners.Length; i++)
        {
            await _manager.SetAsync(s_owners[i], s_writeKeys[i], _value, Sample.TypeInfo);
        }

        return sum;
    }

    private async ValueTask<long> TransactionAsync()
    {
        long sum = 0;
        await using var transaction = await _manager.BeginTransactionAsync();
        for (var i = 0; i < s_owners.Length; i++)
        {
            sum += (await transaction.GetAsync(s_owners[i], s_readKeys[i], Sample.TypeInfo)).Value!.Count;
        }

        for (var i = 0; i < s_owners.Length; i++)
        {
            await transaction.SetAsync(s_owners[i], s_writeKeys[i], _value, Sample.TypeInfo);
        }

        await transaction.CommitAsync();
        return sum;
    }
}

/// <summary>16 callers, each looping UpdateAsync (increment Count) until the deadline; counts updates and attempts.</summary>
public static class Throughput
{
    public const int Callers = 16;

    public static async Task<(double OpsPerSecond, double AttemptsPerOp)> RunAsync(StateManager manager, bool hot, double seconds)
    {
        var prefix = hot ? "hot" : "distinct-" + Guid.NewGuid().ToString("N")[..8] + "-";
        long attempts = 0;
        long ops = 0;
        var measuring = 0;
        var start = Stopwatch.GetTimestamp();
        var warmupEnd = start + (long)(0.5 * Stopwatch.Frequency);
        var end = warmupEnd + (long)(seconds * Stopwatch.Frequency);
        long measuredStart = 0;

        Profile Update(Profile? current)
        {
            if (Volatile.Read(ref measuring) == 1)
            {
                Interlocked.Increment(ref attempts);
            }

            return new Profile { Name = current?.Name ?? "Ada Lovelace", Count = (current?.Count ?? 0) + 1, Tags = current?.Tags ?? ["admin"] };
        }

        var workers = new Task[Callers];
        for (var w = 0; w < Callers; w++)
        {
            var key = hot ? prefix : prefix + w.ToString(CultureInfo.InvariantCulture);
            workers[w] = Task.Run(async () =>
            {
                while (true)
                {
                    var now = Stopwatch.GetTimestamp();
                    if (now >= end)
                    {
                        return;
                    }

                    if (now >= warmupEnd && Interlocked.CompareExchange(ref measuring, 1, 0) == 0)
                    {
                        Interlocked.Exchange(ref measuredStart, Stopwatch.GetTimestamp());
                    }

                    var counted = Volatile.Read(ref measuring) == 1;
                    await manager.UpdateAsync(Sample.Owner, key, Update, Sample.TypeInfo);
                    if (counted && Stopwatch.GetTimestamp() <= end)
                    {
                        Interlocked.Increment(ref ops);
                    }
                }
            });
        }

        await Task.WhenAll(workers);
        var elapsed = (double)(end - measuredStart) / Stopwatch.Frequency;
        return (ops / elapsed, ops == 0 ? double.NaN : (double)attempts / ops);
    }
}
