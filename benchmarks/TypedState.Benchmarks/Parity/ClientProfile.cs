using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using TypedState.Postgres;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// <c>pg-client</c>: where a PostgreSQL operation's client time goes, TypedState against the raw client (and the
/// floor, for the listing and the writes; and "same statements", the raw client sending the driver's own statements:
/// RawPostgresDriverStatementsSide), on the parity harness's sides and data. Per side, in alternating blocks: wall
/// µs, process CPU µs (user + system, every thread: the caller, the thread pool, the socket engine), thread-pool work
/// items, context switches (voluntary + involuntary, whole process) and bytes allocated, each per operation. Run it
/// with <c>DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0</c> so that idle pool workers do not spin and the CPU figure
/// is the client's work. With <c>--driver typed|raw|floor|same --seconds S</c> it runs that side alone for S seconds after
/// seeding (printing its process id first), for a profiler to attach (<c>perf record -p</c>, <c>dotnet-trace</c>).
/// Usage: <c>pg-client [--filter get|set|cas|delete|transaction|list] [--rounds N] [--driver typed|raw|floor|same --seconds S]</c>.
/// </summary>
public static partial class ClientProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args, "pg-client [--filter get|set|cas|delete|transaction|list] [--rounds N] [--driver typed|raw|floor|same --seconds S]", "--filter", "--rounds", "--driver", "--seconds") is not { } options)
        {
            return 2;
        }

        var op = (options.Filter ?? "get").ToLowerInvariant() switch
        {
            "get" => ParityOp.Get,
            "set" => ParityOp.Set,
            "cas" => ParityOp.CompareAndSet,
            "delete" => ParityOp.Delete,
            "transaction" => ParityOp.Transaction,
            "list" => ParityOp.List,
            var other => throw new ArgumentException($"Unknown operation '{other}': get, set, cas, delete, transaction or list."),
        };
        var external = Environment.GetEnvironmentVariable("TYPEDSTATE_BENCH_POSTGRES");
        using var server = string.IsNullOrEmpty(external) ? new EphemeralPostgres() : null;
        var connectionString = server?.ConnectionString ?? external!;
        var typed = new TypedStateSide(new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = connectionString }));
        var raw = new RawPostgresSide(connectionString);
        var floor = new RawPostgresFloorSide(connectionString);
        var same = new RawPostgresDriverStatementsSide(connectionString);
        var watch = Stopwatch.StartNew();
        await typed.SeedAsync();
        raw.Seed();
        floor.Seed();
        await same.SeedAsync();
        typed.Prepare();
        raw.Prepare();
        floor.Prepare();
        same.Prepare();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL {op}: seeded in {watch.Elapsed.TotalSeconds:F1} s, load average {File.ReadAllText("/proc/loadavg").Trim()}"));

        var sides = new List<(string Name, ParitySide Side)> { ("raw", raw) };
        if (op == ParityOp.Get)
        {
            // One difference at a time: the pooled connection, the driver's statement, the driver without the manager.
            sides.AddRange(ClientGetVariants.Create(connectionString));
        }
        else
        {
            sides.Add(("floor", floor));
        }

        // The driver's own statements sent by hand (pooled connection per operation): TypedState's statements without the library.
        sides.Add(("same statements", same));
        sides.Add(("TypedState", typed));

        if (options.Driver is { } alone)
        {
            var side = sides.Any(s => s.Name.Equals(alone, StringComparison.OrdinalIgnoreCase))
                ? sides.First(s => s.Name.Equals(alone, StringComparison.OrdinalIgnoreCase)).Side
                : sides.First(s => s.Name.StartsWith(alone, StringComparison.OrdinalIgnoreCase)).Side;
            Measure(side, op, 200);
            Console.WriteLine($"pid {Environment.ProcessId}: {alone} {op} alone for {options.Seconds.ToString(CultureInfo.InvariantCulture)} s");
            var until = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
            var count = 0L;
            while (Stopwatch.GetTimestamp() < until)
            {
                for (var i = 0; i < 100; i++)
                {
                    Interleaved.s_sink += side.Run(op);
                }

                count += 100;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} operations, {options.Seconds * 1e6 / count:F1} µs each"));
        }
        else
        {
            var perBlock = op == ParityOp.List ? 20 : 500;
            WarmUp(sides, op, perBlock, connectionString);
            var totals = sides.Select(_ => new Figures()).ToArray();
            for (var round = 0; round < options.Rounds; round++)
            {
                // ABBA-like: the order of the sides turns each round, so a load that drifts falls on all of them.
                for (var k = 0; k < sides.Count; k++)
                {
                    var s = (k + round) % sides.Count;
                    totals[s] += Measure(sides[s].Side, op, perBlock);
                }
            }

            Console.WriteLine($"| side | wall µs/op | process CPU µs/op | server CPU µs/op | pool work items/op | context switches/op | alloc B/op | JIT µs/op (methods) |  ({options.Rounds} rounds of {perBlock}, {s_backends.Length} backends)");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            for (var s = 0; s < sides.Count; s++)
            {
                var f = totals[s];
                var n = (double)f.Operations;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {sides[s].Name} | {f.WallUs / n:F1} | {f.CpuUs / n:F1} | {f.ServerUs / n:F1} | {f.WorkItems / n:F2} | {f.Switches / n:F2} | {f.Allocated / n:F0} | {f.JitUs / n:F1} ({f.JitMethods}) |"));
            }

            Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        }

        foreach (var side in sides.Select(s => s.Side).Append(floor).Append(same).Distinct())
        {
            await side.DisposeAsync();
        }

        return 0;
    }

    private static int[] s_backends = [];

    /// <summary>
    /// Runs blocks of every side until the JIT has settled: tiered compilation promotes a method on a background
    /// thread after it has been called 30 times and no new method was compiled for 100 ms, and its CPU time counts
    /// in the process's. A side with more code (the manager and the driver) compiles more, so a short warm-up would
    /// charge it hundreds of µs an operation in the first rounds; the measurement's own code (the server's CPU
    /// figures) is compiled here too. Stops after a second of blocks that compiled nothing (at most 60 s).
    /// </summary>
    private static void WarmUp(List<(string Name, ParitySide Side)> sides, ParityOp op, int perBlock, string connectionString)
    {
        var started = Stopwatch.GetTimestamp();
        var quietSince = 0L;
        var rounds = 0;
        var methods = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < 60)
        {
            var roundStart = Stopwatch.GetTimestamp();
            foreach (var (_, side) in sides)
            {
                Measure(side, op, perBlock);
            }

            rounds++;
            if (rounds == 1)
            {
                // The server's backends (every side's connections, open by now), for their CPU time (Linux schedstat,
                // ns), read around each timed block: read during the warm-up too, so that their code is compiled.
                s_backends = Backends(connectionString);
            }

            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quietSince = now == methods ? (quietSince == 0 ? roundStart : quietSince) : 0;
            methods = now;
            if (quietSince != 0 && Stopwatch.GetElapsedTime(quietSince).TotalSeconds >= 1)
            {
                break;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warmed up: {rounds} rounds of {perBlock} a side in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s, {methods} methods compiled"));
    }

    /// <summary>The process ids of the server's client backends (every side's connections, open by now).</summary>
    private static int[] Backends(string connectionString)
    {
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()", connection);
        using var reader = command.ExecuteReader();
        var pids = new List<int>();
        while (reader.Read())
        {
            pids.Add(reader.GetInt32(0));
        }

        return [.. pids];
    }

    /// <summary>CPU time of the server's backends in µs (0 when the server is not local).</summary>
    private static double ServerCpuUs()
    {
        var ns = 0L;
        foreach (var pid in s_backends)
        {
            try
            {
                ns += long.Parse(File.ReadAllText($"/proc/{pid}/schedstat").Split(' ')[0], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The backend ended (a pooled connection closed): its time is lost, not counted twice.
            }
        }

        return ns / 1000.0;
    }

    private static Figures Measure(ParitySide side, ParityOp op, int count)
    {
        var serverBefore = ServerCpuUs();
        var before = Sample();
        for (var i = 0; i < count; i++)
        {
            Interleaved.s_sink += side.Run(op);
        }

        var after = Sample();
        var serverAfter = ServerCpuUs();
        return new Figures
        {
            ServerUs = serverAfter - serverBefore,
            Operations = count,
            WallUs = (after.Wall - before.Wall) * 1e6 / Stopwatch.Frequency,
            CpuUs = after.CpuUs - before.CpuUs,
            WorkItems = after.WorkItems - before.WorkItems,
            Switches = after.Switches - before.Switches,
            Allocated = after.Allocated - before.Allocated,
            JitUs = (after.Jit - before.Jit).TotalMicroseconds,
            JitMethods = after.JitMethods - before.JitMethods,
        };
    }

    private static (long Wall, double CpuUs, long WorkItems, long Switches, long Allocated, TimeSpan Jit, long JitMethods) Sample()
    {
        if (GetResourceUsage(0, out var usage) != 0)
        {
            throw new InvalidOperationException("getrusage failed; pg-client needs Linux.");
        }

        var cpu = (usage.UserSeconds + usage.SystemSeconds) * 1e6 + usage.UserMicroseconds + usage.SystemMicroseconds;
        return (Stopwatch.GetTimestamp(), cpu, ThreadPool.CompletedWorkItemCount, usage.VoluntarySwitches + usage.InvoluntarySwitches, GC.GetTotalAllocatedBytes(precise: true), System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount());
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetResourceUsage(int who, out ResourceUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxResident;
        public long SharedText;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlockInputs;
        public long BlockOutputs;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }

    private readonly record struct Figures(long Operations, double WallUs, double CpuUs, double ServerUs, long WorkItems, long Switches, long Allocated, double JitUs, long JitMethods)
    {
        public static Figures operator +(Figures a, Figures b) =>
            new(a.Operations + b.Operations, a.WallUs + b.WallUs, a.CpuUs + b.CpuUs, a.ServerUs + b.ServerUs, a.WorkItems + b.WorkItems, a.Switches + b.Switches, a.Allocated + b.Allocated, a.JitUs + b.JitUs, a.JitMethods + b.JitMethods);
    }
}
