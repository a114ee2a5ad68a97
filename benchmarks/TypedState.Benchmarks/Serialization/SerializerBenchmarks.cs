using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TypedState.Benchmarks.Serialization;

/// <summary>
/// Serialize to bytes and deserialize from bytes of one value of <typeparamref name="T"/> (<see cref="ChatMemory"/>,
/// about 2.5 KB of JSON, and <see cref="TopicMemory"/>, about 150 bytes): TypedState's generated serializer
/// (<c>T.Schema.Serialize/Deserialize</c>) against System.Text.Json with the web
/// defaults by reflection (the baseline: the Ratio column), and by its source-generated context in metadata mode and
/// in its default mode (fast-path serialize). The "vs source-gen" column divides each mean by the mean of the
/// source-generated context measured in the same run (the fast path for serialize, the metadata for deserialize).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[Config(typeof(SerializerBenchmarksConfig))]
[GenericTypeArguments(typeof(ChatMemory))]
[GenericTypeArguments(typeof(TopicMemory))]
public class SerializerBenchmarks<T>
    where T : class, IStateType<T>
{
    private SerializerFixture<T> _fixture = null!;

    [GlobalSetup]
    public void Setup() => _fixture = SerializerFixtures.For<T>();

    [Benchmark(Baseline = true, Description = "STJ reflection")]
    [BenchmarkCategory("a Serialize")]
    public byte[] SerializeReflection() => _fixture.ReflectionSerialize();

    [Benchmark(Description = "STJ source-gen, metadata")]
    [BenchmarkCategory("a Serialize")]
    public byte[] SerializeSourceGenMetadata() => _fixture.MetadataSerialize();

    [Benchmark(Description = "STJ source-gen, fast path")]
    [BenchmarkCategory("a Serialize")]
    public byte[] SerializeSourceGenFastPath() => _fixture.FastPathSerialize();

    [Benchmark(Description = "TypedState StateSchema.Serialize")]
    [BenchmarkCategory("a Serialize")]
    public byte[] SerializeTypedState() => _fixture.TypedStateSerialize();

    [Benchmark(Description = "(step) generated writer, direct")]
    [BenchmarkCategory("a Serialize")]
    public byte[] SerializeGeneratedWriter() => _fixture.GeneratedWriterSerialize();

    [Benchmark(Baseline = true, Description = "STJ reflection")]
    [BenchmarkCategory("b Deserialize")]
    public T DeserializeReflection() => _fixture.ReflectionDeserialize();

    [Benchmark(Description = "STJ source-gen (metadata)")]
    [BenchmarkCategory("b Deserialize")]
    public T DeserializeSourceGen() => _fixture.MetadataDeserialize();

    [Benchmark(Description = "TypedState StateSchema.Deserialize")]
    [BenchmarkCategory("b Deserialize")]
    public T DeserializeTypedState() => _fixture.TypedStateDeserialize();

    [Benchmark(Description = "(step) generated reader, direct")]
    [BenchmarkCategory("b Deserialize")]
    public T DeserializeGeneratedReader() => _fixture.GeneratedReaderDeserialize();
}

/// <summary>Adds the "vs source-gen" column to <see cref="SerializerBenchmarks{T}"/>.</summary>
internal sealed class SerializerBenchmarksConfig : ManualConfig
{
    public SerializerBenchmarksConfig() => AddColumn(new RatioToColumn("vs source-gen", "SerializeSourceGenFastPath", "DeserializeSourceGen"));
}

/// <summary>
/// A second ratio column: each benchmark's mean divided by the mean of the reference benchmark of its category (the
/// first of <paramref name="references"/> found in that category), from the same summary.
/// </summary>
internal sealed class RatioToColumn(string name, params string[] references) : IColumn
{
    public string Id => nameof(RatioToColumn) + "." + ColumnName;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Baseline;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Mean divided by the mean of {string.Join(" / ", references)} in the same category and run";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var categories = string.Join(",", benchmarkCase.Descriptor.Categories);
        var reference = summary.BenchmarksCases.FirstOrDefault(c =>
            references.Contains(c.Descriptor.WorkloadMethod.Name) && string.Join(",", c.Descriptor.Categories) == categories);
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var referenceMean = reference is null ? null : summary[reference]?.ResultStatistics?.Mean;
        return mean is { } m && referenceMean is { } r && r > 0 ? (m / r).ToString("F2", CultureInfo.InvariantCulture) : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
