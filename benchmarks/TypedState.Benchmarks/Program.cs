using BenchmarkDotNet.Running;

// `interleaved` runs the same comparisons outside BenchmarkDotNet, alternating raw and TypedState blocks so
// that machine noise hits both sides alike (see README.md); `drivers` does the same for the Redis and PostgreSQL
// drivers against ephemeral servers, then times transactions and concurrent updates on every driver; `sqlite-writers`
// compares 16 concurrent SQLite writers with raw Microsoft.Data.Sqlite (SqliteConcurrentWriters.cs);
// `timeline` times forks, as-of reads and rebuilds of guild timelines on every driver (TimelineBenchmarks.cs);
// `postgres-versions` times the PostgreSQL driver of two commits side by side (postgres-versions.sh); `generator`
// measures what the source generator costs a build and an editor (Generator/GeneratorCost.cs); `redis-fork` times
// Redis forks of a large and a small guild (RedisForkBenchmarks.cs); `sqlite-log-layouts` times what a log entry adds
// to a SQLite set in raw statements, layout by layout (SqliteLogLayouts.cs); `sqlite-commit-ids` does the same for
// the commit id, table by table and id kind by id kind, with WAL frames (SqliteCommitIdLayouts.cs); `parity` compares every operation with
// raw clients and a peer on SQLite, PostgreSQL and Redis (Parity/); `redis-server-time` gives the Redis server's
// time per operation of each parity side and of the driver's one-write script with pieces cut (Parity/RedisServerTime.cs);
// `redis-cluster` compares one Redis with a
// three-master cluster (RedisClusterBenchmarks.cs); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "interleaved")
{
    return TypedState.Benchmarks.Interleaved.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "generator")
{
    return TypedState.Benchmarks.Generator.GeneratorCost.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "sqlite-writers")
{
    return await TypedState.Benchmarks.SqliteConcurrentWriters.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "postgres-versions")
{
    return TypedState.Benchmarks.PostgresVersionBenchmarks.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "redis-fork")
{
    return await TypedState.Benchmarks.RedisForkBenchmarks.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "timeline")
{
    return await TypedState.Benchmarks.TimelineBenchmarks.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "sqlite-log-layouts")
{
    return TypedState.Benchmarks.SqliteLogLayouts.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "sqlite-commit-ids")
{
    return TypedState.Benchmarks.SqliteCommitIdLayouts.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "pg-client")
{
    return await TypedState.Benchmarks.Parity.ClientProfile.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "parity")
{
    return await TypedState.Benchmarks.Parity.ParityBenchmarks.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "redis-server-time")
{
    return await TypedState.Benchmarks.Parity.RedisServerTime.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "redis-cluster")
{
    return await TypedState.Benchmarks.RedisClusterBenchmarks.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "drivers")
{
    return await TypedState.Benchmarks.DriverBenchmarks.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
