using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TypedState.Storage;

namespace TypedState.Benchmarks;

/// <summary>
/// In-memory reads: (a) typed — TypedState <c>GetAsync&lt;T&gt;</c> against a <c>ConcurrentDictionary&lt;string, byte[]&gt;</c>
/// lookup plus the same deserialization; (b) bytes — <c>StateManager.GetRecordAsync</c> against the plain lookup,
/// with two steps in between that show where the difference goes: a raw lookup keyed by owner then key (the shape
/// of the in-memory driver's maps) and the driver's <c>ReadAsync</c> without the manager.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class InMemoryGetBenchmarks
{
    private InMemoryFixture _fixture = null!;

    [GlobalSetup]
    public void Setup() => _fixture = new InMemoryFixture();

    [Benchmark(Baseline = true, Description = "Raw lookup + deserialize")]
    [BenchmarkCategory("a Typed")]
    public Profile? RawTypedGet() => _fixture.RawTypedGet();

    [Benchmark(Description = "TypedState GetAsync<T>")]
    [BenchmarkCategory("a Typed")]
    public Profile? TypedStateTypedGet() => _fixture.TypedStateTypedGet();

    [Benchmark(Baseline = true, Description = "Raw lookup")]
    [BenchmarkCategory("b Bytes")]
    public byte[]? RawBytesGet() => _fixture.RawBytesGet();

    [Benchmark(Description = "(step) raw lookup by owner, then key")]
    [BenchmarkCategory("b Bytes")]
    public byte[]? RawByOwnerBytesGet() => _fixture.RawByOwnerBytesGet();

    [Benchmark(Description = "(step) InMemoryStateDriver.ReadAsync")]
    [BenchmarkCategory("b Bytes")]
    public StoredRecord? DriverBytesGet() => _fixture.DriverBytesGet();

    [Benchmark(Description = "TypedState GetRecordAsync")]
    [BenchmarkCategory("b Bytes")]
    public StoredRecord? TypedStateBytesGet() => _fixture.TypedStateBytesGet();
}
