using BenchmarkDotNet.Attributes;
using TypedState.Sqlite;

namespace TypedState.Benchmarks;

/// <summary>
/// SQLite set: TypedState <c>SetAsync&lt;T&gt;</c> against the same serialization plus the same prepared
/// upsert written by hand. Every set is one autocommitted transaction, so with synchronous = FULL (the driver's
/// default) each one waits for an fsync of the WAL; NORMAL shows the cost without the disk flush.
/// </summary>
[MemoryDiagnoser]
public class SqliteSetBenchmarks
{
    private SqliteFixture _fixture = null!;

    [Params(SqliteSynchronousMode.Full, SqliteSynchronousMode.Normal)]
    public SqliteSynchronousMode Synchronous { get; set; }

    [GlobalSetup]
    public void Setup() => _fixture = new SqliteFixture(Synchronous);

    [GlobalCleanup]
    public void Cleanup() => _fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "Raw Microsoft.Data.Sqlite set")]
    public long RawSet() => _fixture.RawSet();

    [Benchmark(Description = "TypedState SetAsync<T>")]
    public long TypedStateSet() => _fixture.TypedStateSet();
}

/// <summary>SQLite get: TypedState <c>GetAsync&lt;T&gt;</c> against the same prepared select plus the same deserialization.</summary>
[MemoryDiagnoser]
public class SqliteGetBenchmarks
{
    private SqliteFixture _fixture = null!;

    [GlobalSetup]
    public void Setup() => _fixture = new SqliteFixture(SqliteSynchronousMode.Full);

    [GlobalCleanup]
    public void Cleanup() => _fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "Raw Microsoft.Data.Sqlite get")]
    public Profile? RawGet() => _fixture.RawGet();

    [Benchmark(Description = "TypedState GetAsync<T>")]
    public Profile? TypedStateGet() => _fixture.TypedStateGet();
}
