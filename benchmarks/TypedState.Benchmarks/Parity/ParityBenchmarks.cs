using System.Diagnostics;
using System.Globalization;
using TypedState.Postgres;
using TypedState.Redis;
using TypedState.Sqlite;
using static TypedState.Benchmarks.Interleaved;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// <c>parity</c>: every operation of the store (get, set, compare-and-set, delete, a transaction of 10 conditional
/// writes, a listing of the 500 records of one owner, a lock round trip) on SQLite, PostgreSQL and Redis, against a
/// raw client doing the same work with the same System.Text.Json deserialization of the same typed value, on 50,000
/// records of about 200 bytes over 100 owners (each side its own copy). Interleaved as <c>interleaved</c> does
/// (ABBA blocks, one ratio per round); <c>--aa</c> adds the raw client against itself, and PostgreSQL has a peer row,
/// Marten against the raw client. Allocations are process-wide bytes per operation (SQLite's writer and the network
/// clients' replies run on other threads).
/// Usage: <c>parity [--rounds 40] [--block-ms 25] [--filter TEXT] [--aa] [--alloc-profile] [--cpu] [--process-cpu] [--server-stats]</c>
/// (<c>--alloc-profile</c> prints, instead of the comparisons, each selected row's allocations by type:
/// AllocationProfile.cs; <c>--cpu</c> times blocks with the calling thread's CPU time, as <c>interleaved --cpu</c>: only
/// for operations that run on the calling thread, such as the SQLite reads; <c>--process-cpu</c> with the process's CPU
/// time, the client's cost wherever its continuations run, without the server's; <c>--server-stats</c> prints after
/// each PostgreSQL row its server time per statement and per operation of each side: PostgresStatementStats.cs);
/// rows are named "SQLite get",
/// "PostgreSQL transaction of 10 conditional writes", "A/A: Redis list 500 records", "PostgreSQL get (peer: Marten)",
/// "PostgreSQL set (same statements: raw running the driver's statements)" (a raw client sending the driver's own
/// statements: RawPostgresDriverStatementsSide.cs, RawRedisDriverScriptsSide.cs), "(step) Redis set: floor vs the
/// driver's statements" (": raw vs …" for the Redis get, listing and lock, which its floor lacks).
/// </summary>
public static class ParityBenchmarks
{
    private static readonly (ParityOp Op, string Name)[] s_ops =
    [
        (ParityOp.Get, "get"),
        (ParityOp.Set, "set"),
        (ParityOp.CompareAndSet, "compare-and-set"),
        (ParityOp.Delete, "delete (after a set)"),
        (ParityOp.Transaction, "transaction of 10 conditional writes"),
        (ParityOp.List, "list 500 records"),
        (ParityOp.Lock, "lock round trip"),
    ];

    /// <summary>The operations and their names in row names, in row order.</summary>
    internal static IReadOnlyList<(ParityOp Op, string Name)> Operations => s_ops;

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args, "parity [--rounds N] [--block-ms MS] [--filter TEXT] [--aa] [--alloc-profile] [--cpu] [--process-cpu] [--server-stats]", "--rounds", "--block-ms", "--filter", "--aa", "--alloc-profile", "--cpu", "--process-cpu", "--server-stats") is not { } options)
        {
            return 2;
        }

        UseCpuClock(options.CpuClock);
        ProcessCpuClock = options.ProcessCpuClock;
        var clock = options.ProcessCpuClock ? "process CPU time" : options.CpuClock ? "thread CPU time" : "wall clock";
        Console.WriteLine($"Raw-client parity: {options.Rounds} rounds, ~{options.BlockMs.ToString(CultureInfo.InvariantCulture)} ms per block, {clock}, .NET {Environment.Version}, {Environment.ProcessorCount} CPUs, load average {LoadAverage()}");
        Console.WriteLine($"{ParityData.Owners * ParityData.RecordsPerOwner} records of {ParityData.Serialize(ParityData.Create(0, 0)).Length} B over {ParityData.Owners} owners per side; \"Raw\" is the raw client; allocations are process-wide bytes per operation.");

        if (Wanted(options, "SQLite"))
        {
            var directory = Directory.CreateTempSubdirectory("typedstate-bench-parity-").FullName;
            var typed = new TypedStateSide(new SqliteStateManager(new SqliteStateDriverOptions
            {
                ConnectionString = "Data Source=" + Path.Combine(directory, "typedstate.db"),
                Synchronous = SqliteSynchronousMode.Normal,
            }));
            var raw = new RawSqliteSide(Path.Combine(directory, "raw.db"), (int)SqliteSynchronousMode.Normal);
            var floor = new RawSqliteSide(Path.Combine(directory, "raw-commit-ids.db"), (int)SqliteSynchronousMode.Normal, rememberCommitIds: true);
            await SeedAsync("SQLite (synchronous NORMAL, WAL)", typed, () =>
            {
                raw.Seed();
                floor.Seed();
                return Task.CompletedTask;
            });
            CompareAll("SQLite", typed, raw, null, options, floor);
            await typed.DisposeAsync();
            await raw.DisposeAsync();
            await floor.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }

        if (Wanted(options, "PostgreSQL"))
        {
            // TYPEDSTATE_BENCH_POSTGRES=<connection string> uses a server and an empty database set up by hand, e.g.
            // to EXPLAIN the sides' statements on their data after the run; otherwise the run starts its own.
            var external = Environment.GetEnvironmentVariable("TYPEDSTATE_BENCH_POSTGRES");
            using var server = !string.IsNullOrEmpty(external) ? null
                : options.ServerStats ? new EphemeralPostgres(PostgresStatementStats.ServerSettings) : new EphemeralPostgres();
            var connectionString = server?.ConnectionString ?? external!;
            var stats = options.ServerStats ? new PostgresStatementStats(connectionString) : null;
            stats?.Install();
            var typed = new TypedStateSide(new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = connectionString }));
            var raw = new RawPostgresSide(connectionString);
            var floor = new RawPostgresFloorSide(connectionString);
            var marten = new MartenSide(connectionString);

            // The driver's own statements by hand, seeded (through the library) only when one of its rows is selected.
            var same = s_ops.Any(op => SameRowsWanted(options, $"PostgreSQL {op.Name}"))
                ? new RawPostgresDriverStatementsSide(connectionString)
                : null;
            await SeedAsync("PostgreSQL 15 (fsync=off, synchronous_commit=off)", typed, async () =>
            {
                raw.Seed();
                floor.Seed();
                await marten.SeedAsync();
                await (same?.SeedAsync() ?? Task.CompletedTask);
            });
            marten.Prepare();
            CompareAll("PostgreSQL", typed, raw, marten, options, floor, stats, same);
            await typed.DisposeAsync();
            await raw.DisposeAsync();
            await floor.DisposeAsync();
            await marten.DisposeAsync();
            await (same?.DisposeAsync() ?? ValueTask.CompletedTask);
        }

        if (Wanted(options, "Redis"))
        {
            // TYPEDSTATE_BENCH_REDIS=host:port uses a server started by hand (empty), e.g. to read its SLOWLOG or
            // INFO commandstats after the run; otherwise the run starts its own.
            var external = Environment.GetEnvironmentVariable("TYPEDSTATE_BENCH_REDIS");
            using var redis = string.IsNullOrEmpty(external) ? await EphemeralRedis.StartAsync() : null;
            var configuration = redis?.Configuration ?? external!;
            var typed = new TypedStateSide(new RedisStateManager(new RedisStateDriverOptions { Configuration = configuration, KeyPrefix = "ts" }));
            var raw = new RawRedisSide(configuration);
            var floor = new RawRedisSide(configuration, rememberCommits: true);
            var same = new RawRedisDriverScriptsSide(configuration);
            await SeedAsync("redis-server (no persistence)", typed, async () =>
            {
                await raw.SeedAsync();
                await floor.SeedAsync();
                if (s_ops.Any(op => SameRowsWanted(options, $"Redis {op.Name}")))
                {
                    await same.SeedAsync();
                }
            });
            CompareAll("Redis", typed, raw, null, options, floor, same: same.Seeded ? same : null);
            await typed.DisposeAsync();
            await raw.DisposeAsync();
            await floor.DisposeAsync();
            await same.DisposeAsync();
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at the end: {LoadAverage()}");
        GC.KeepAlive(s_sink);
        return 0;
    }

    private static bool Wanted(BenchmarkArguments options, string backend) =>
        s_ops.Any(op => options.Selected($"{backend} {op.Name}") || options.Selected($"A/A: {backend} {op.Name}") || options.Selected($"{backend} {op.Name} (peer: Marten)")
            || options.Selected(FloorRow($"{backend} {op.Name}")) || options.Selected(FloorStepRow($"{backend} {op.Name}"))
            || (backend is ("PostgreSQL" or "Redis") && SameRowsWanted(options, $"{backend} {op.Name}")));

    /// <summary>Whether a row of the raw client running the driver's own statements is selected.</summary>
    private static bool SameRowsWanted(BenchmarkArguments options, string row) =>
        options.Selected(SameRow(row)) || options.Selected(SameStepRow(row, byFloor: true)) || options.Selected(SameStepRow(row, byFloor: false));

    /// <summary>TypedState against the raw client that also does the store's guarantee work.</summary>
    private static string FloorRow(string row) => row + " (floor: raw with the store's guarantees)";

    /// <summary>The raw client against itself doing the store's guarantee work too: what the guarantees cost.</summary>
    private static string FloorStepRow(string row) => "(step) " + row + ": raw vs the floor";

    /// <summary>TypedState against the raw client sending the driver's own statements: the library's own cost.</summary>
    private static string SameRow(string row) => row + " (same statements: raw running the driver's statements)";

    /// <summary>
    /// The floor (or, for an operation the floor lacks, the raw client) against the raw client sending the driver's
    /// statements: what the driver's statements cost above the floor's.
    /// </summary>
    private static string SameStepRow(string row, bool byFloor) => "(step) " + row + (byFloor ? ": floor vs the driver's statements" : ": raw vs the driver's statements");

    private static async Task SeedAsync(string server, TypedStateSide typed, Func<Task> seedOthers)
    {
        var watch = Stopwatch.StartNew();
        await typed.SeedAsync();
        var typedSeconds = watch.Elapsed.TotalSeconds;
        await seedOthers();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{server}: seeded in {typedSeconds:F1} s (TypedState) and {watch.Elapsed.TotalSeconds - typedSeconds:F1} s (the others)"));
        Console.WriteLine();
        Console.WriteLine("| Comparison | Raw median | Other median | Ratio median | Ratio p10–p90 | Ratio min–max | Ratio of best blocks | Raw alloc/op | Other alloc/op |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    }

    /// <summary>
    /// Every selected row of a backend. With <paramref name="floor"/> (the raw client that also does the server work of
    /// the store's guarantees: commit ids on every backend, the guild lock on PostgreSQL, the epoch marker on Redis),
    /// each write and the lock get two more rows: "(step) … raw vs the floor", what the guarantees cost a raw client,
    /// and "… (floor: …)", TypedState against that floor; on PostgreSQL the listing too (the floor reads whole pages).
    /// With <paramref name="same"/> (the raw client sending the driver's own statements), every operation gets
    /// "… (same statements: …)", TypedState against it, and "(step) … floor vs the driver's statements" (Redis: "raw
    /// vs …" for the operations its floor lacks).
    /// </summary>
    private static void CompareAll(string backend, TypedStateSide typed, ParitySide raw, ParitySide? peer, BenchmarkArguments options, ParitySide? floor = null, PostgresStatementStats? stats = null, ParitySide? same = null)
    {
        typed.Prepare();
        raw.Prepare();
        floor?.Prepare();
        same?.Prepare();
        foreach (var (op, name) in s_ops)
        {
            var row = $"{backend} {name}";
            var sameSelected = same is not null && options.Selected(SameRow(row));
            if ((options.Selected(row) || sameSelected) && options.AllocationProfile)
            {
                if (options.Selected(row))
                {
                    AllocationProfile.Print(row + " (raw)", raw, op);
                }

                if (sameSelected)
                {
                    AllocationProfile.Print(row + " (raw running the driver's statements)", same!, op);
                }

                AllocationProfile.Print(row + " (TypedState)", typed, op);
                continue;
            }

            if (options.Selected(row))
            {
                CompareRow(row, raw, typed, op, options, stats);
            }

            if (options.AA && options.Selected("A/A: " + row))
            {
                CompareRow("A/A: " + row, raw, raw, op, options, stats);
            }

            if (floor is not null && floor.Supports(op) && op is not ParityOp.Get && (op is not ParityOp.List || floor is RawPostgresFloorSide))
            {
                var floorRow = FloorRow(row);
                if (options.Selected(floorRow))
                {
                    CompareRow(floorRow, floor, typed, op, options, stats);
                }

                var stepRow = FloorStepRow(row);
                if (options.Selected(stepRow))
                {
                    CompareRow(stepRow, raw, floor, op, options, stats);
                }
            }

            if (same is not null)
            {
                if (sameSelected)
                {
                    CompareRow(SameRow(row), same, typed, op, options, stats);
                }

                // Redis's floor has the writes only: its get, listing and lock are stepped from the raw client.
                var byFloor = floor is not null && floor.Supports(op);
                var stepRow = SameStepRow(row, byFloor);
                if (options.Selected(stepRow))
                {
                    CompareRow(stepRow, byFloor ? floor! : raw, same, op, options, stats);
                }
            }

            if (peer is not null && peer.Supports(op) && options.Selected(row + " (peer: Marten)"))
            {
                CompareRow(row + " (peer: Marten)", raw, peer, op, options, stats);
            }
        }
    }

    /// <summary>One row: <paramref name="a"/> (the reference) against <paramref name="b"/>; with <paramref name="stats"/>, then the row's server statements.</summary>
    private static void CompareRow(string row, ParitySide a, ParitySide b, ParityOp op, BenchmarkArguments options, PostgresStatementStats? stats)
    {
        stats?.Reset();
        var (aBefore, bBefore) = (a.Operations, b.Operations);
        Compare(row, new SideOp(a, op), new SideOp(b, op), options.Rounds, options.BlockMs, processAllocations: true);
        if (stats is not null)
        {
            var sides = ReferenceEquals(a, b)
                ? new[] { (Label(a), Marker(a), a.Operations - aBefore) }
                : [(Label(a), Marker(a), a.Operations - aBefore), (Label(b), Marker(b), b.Operations - bBefore)];
            stats.Print(row, sides);
        }
    }

    /// <summary>A side's name in the server statements' listing.</summary>
    private static string Label(ParitySide side) => side switch
    {
        RawPostgresFloorSide => "floor",
        RawPostgresDriverStatementsSide => "driver SQL",
        RawPostgresSide => "raw",
        MartenSide => "Marten",
        _ => "TypedState",
    };

    /// <summary>
    /// What only a side's statements hold: its schema; the floor's locks hash their one parameter, TypedState's build
    /// the lock's name on the server (with <c>chr(31)</c>), even when pg_stat_statements replaced its constants. The
    /// side sending the driver's statements names its own schema, but its two advisory-lock statements differ from
    /// TypedState's only in the schema literal, which pg_stat_statements replaces: in a row of both they are one
    /// entry, counted as TypedState's (calls doubled), and missing from the other side's server time.
    /// </summary>
    private static string Marker(ParitySide side) => side switch
    {
        RawPostgresFloorSide => "rawfloor.|hashtext($1))",
        RawPostgresDriverStatementsSide => "\"" + RawPostgresDriverStatementsSide.Schema + "\".",
        RawPostgresSide => "raw.",
        MartenSide => "mt_",
        _ => "\"" + PostgresStateDriverOptions.DefaultSchema + "\".|'" + PostgresStateDriverOptions.DefaultSchema + "'|chr(",
    };

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private readonly struct SideOp(ParitySide side, ParityOp op) : IOp
    {
        public void Run() => s_sink += side.Run(op);
    }
}
