using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using static TypedState.Benchmarks.Interleaved;

namespace TypedState.Benchmarks;

/// <summary>
/// <c>postgres-versions --baseline DIR --head DIR</c>: two builds of TypedState.Benchmarks.Probe (the PostgreSQL driver
/// of two commits, see benchmarks/postgres-versions.sh), each loaded in its own assembly load context, timed in
/// interleaved blocks against one ephemeral PostgreSQL 15, each in its own schema. "Raw" columns are the baseline,
/// "TypedState" columns the head; then steps of the head alone (a global record against an agent's, a commit without
/// an id against one with), which isolate what single commits pay for the guild lock and for remembering ids.
/// </summary>
/// <remarks>Usage: <c>postgres-versions --baseline DIR --head DIR [--rounds 40] [--block-ms 25] [--filter text] [--aa]</c>.</remarks>
public static class PostgresVersionBenchmarks
{
    private const string Usage = "postgres-versions --baseline DIR --head DIR [--rounds N] [--block-ms MS] [--filter TEXT] [--aa]";

    public static int Run(string[] args)
    {
        string? baselineDirectory = null;
        string? headDirectory = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--baseline" when i + 1 < args.Length:
                    baselineDirectory = args[++i];
                    break;
                case "--head" when i + 1 < args.Length:
                    headDirectory = args[++i];
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        if (baselineDirectory is null || headDirectory is null
            || BenchmarkArguments.Parse([.. rest], Usage, "--rounds", "--block-ms", "--filter", "--aa") is not { } options)
        {
            Console.Error.WriteLine("Usage: " + Usage);
            return 2;
        }

        var (rounds, blockMs) = (options.Rounds, options.BlockMs);
        using var postgres = new EphemeralPostgres();
        var baseline = new ProbeVersion(baselineDirectory, postgres.ConnectionString, "base");
        var head = new ProbeVersion(headDirectory, postgres.ConnectionString, "head");
        Console.WriteLine($"PostgreSQL 15 on {postgres.Port} (fsync=off, synchronous_commit=off); {rounds} rounds, ~{blockMs.ToString(CultureInfo.InvariantCulture)} ms per block, .NET {Environment.Version}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine($"Baseline: {Path.GetFullPath(baselineDirectory)}; head: {Path.GetFullPath(headDirectory)}. \"Raw\" = baseline (or the first step), \"TypedState\" = head (or the second step).");
        Console.WriteLine();
        Console.WriteLine("| Comparison | Raw median | TypedState median | Ratio median | Ratio p10–p90 | Ratio min–max | Ratio of best blocks | Raw alloc/op | TypedState alloc/op |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");

        var rows = new List<(string Name, Func<long> First, Func<long> Second)>();
        void Row(string name, Func<long> first, Func<long> second)
        {
            if (options.Selected(name))
            {
                rows.Add((name, first, second));
            }
        }

        Row("Single set through the manager (agent record): baseline vs head", baseline.Create("ManagerSet"), head.Create("ManagerSet"));
        Row("UpdateAsync increment through the manager: baseline vs head", baseline.Create("ManagerUpdate"), head.Create("ManagerUpdate"));
        Row("Two-record transaction through the manager: baseline vs head", baseline.Create("ManagerTransaction"), head.Create("ManagerTransaction"));
        Row("Get through the manager (agent record): baseline vs head", baseline.Create("ManagerGet"), head.Create("ManagerGet"));
        Row("Prefix listing through the manager (50 of 1000 records): baseline vs head", baseline.Create("ManagerList"), head.Create("ManagerList"));
        Row("Driver CommitAsync, agent record, no commit id: baseline vs head", baseline.DriverSet(global: false, withCommitId: false), head.DriverSet(global: false, withCommitId: false));
        Row("Driver CommitAsync, global record, no commit id: baseline vs head", baseline.DriverSet(global: true, withCommitId: false), head.DriverSet(global: true, withCommitId: false));
        Row("(head) Driver CommitAsync, no commit id: global record vs agent record (the guild lock)", head.DriverSet(global: true, withCommitId: false), head.DriverSet(global: false, withCommitId: false));
        Row("(head) Driver CommitAsync, agent record: no commit id vs commit id (remembering it)", head.DriverSet(global: false, withCommitId: false), head.DriverSet(global: false, withCommitId: true));
        if (options.AA)
        {
            Row("A/A: baseline single set vs itself (two stores)", baseline.Create("ManagerSet"), baseline.Create("ManagerSet"));
            Row("A/A: head single set vs itself (two stores)", head.Create("ManagerSet"), head.Create("ManagerSet"));
        }

        // Every operation runs for a while before the first block is timed, so that neither version is measured
        // while its code is still being compiled (the first comparison of a run otherwise pays for it).
        var warmUpEnd = System.Diagnostics.Stopwatch.GetTimestamp() + (3 * System.Diagnostics.Stopwatch.Frequency);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < warmUpEnd)
        {
            foreach (var (_, first, second) in rows)
            {
                first();
                second();
            }
        }

        foreach (var (name, first, second) in rows)
        {
            Compare(name, new Op(first), new Op(second), rounds, blockMs, processAllocations: true);
        }

        return 0;
    }

    private readonly struct Op(Func<long> run) : IOp
    {
        public void Run() => s_sink += run();
    }

    /// <summary>One build of the probe, in its own load context: its TypedState, TypedState.Postgres and Npgsql.</summary>
    private sealed class ProbeVersion
    {
        private readonly Type _probe;
        private readonly string _connectionString;
        private readonly string _name;
        private int _stores;

        public ProbeVersion(string directory, string connectionString, string name)
        {
            var context = new ProbeLoadContext(Path.GetFullPath(directory));
            _probe = context.LoadFromAssemblyPath(Path.Combine(Path.GetFullPath(directory), "TypedState.Benchmarks.Probe.dll"))
                .GetType("TypedState.Benchmarks.Probe.PostgresProbe", throwOnError: true)!;
            _connectionString = connectionString;
            _name = name;
        }

        /// <summary>A probe operation over a store of its own (a fresh schema), warmed up once.</summary>
        public Func<long> Create(string operation) => Warm((Func<long>)_probe.GetMethod(operation)!.Invoke(null, [_connectionString, NextSchema()])!);

        public Func<long> DriverSet(bool global, bool withCommitId) =>
            Warm((Func<long>)_probe.GetMethod("DriverSet")!.Invoke(null, [_connectionString, NextSchema(), global, withCommitId])!);

        private string NextSchema() => string.Create(CultureInfo.InvariantCulture, $"{_name}_{++_stores}");

        private static Func<long> Warm(Func<long> operation)
        {
            operation();
            return operation;
        }
    }

    private sealed class ProbeLoadContext(string directory) : AssemblyLoadContext("probe: " + directory)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = Path.Combine(directory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
