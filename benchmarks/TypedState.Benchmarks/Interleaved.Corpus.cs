using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedState.Benchmarks.Serialization;
using TypedState.Tests.Corpus;

namespace TypedState.Benchmarks;

/// <summary>
/// The serializers over every state type of the test corpus (tests/TypedState.Tests/Corpus), each against System.Text.Json's
/// source-generated context, in both directions. Rows are named "Corpus …: … (Type, N B)", so <c>--filter Corpus</c> runs
/// them alone and <c>--filter "(ConfigSnapshot|(ModelCatalog"</c> the rows of two types.
/// </summary>
public static partial class Interleaved
{
    // The store's encoder (emoji kept as UTF-8): with it System.Text.Json writes the very bytes TypedState writes, but
    // a context with an encoder of its own takes no fast path (metadata mode).
    private static readonly JsonSerializerOptions s_sameBytes = new(JsonSerializerDefaults.Web) { Encoder = new StateManagerOptions().SerializerOptions.Encoder };
    private static readonly CorpusContext s_sameBytesContext = new(s_sameBytes);

    private static void CompareCorpus(BenchmarkArguments options, int rounds, double blockMs)
    {
        CompareCorpusType(CorpusSamples.Chat(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Memory(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Persona(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Tools(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.ToolRun(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Limits(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Plan(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Board(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Checkpoint(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Ledger(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Files(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Schedule(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Results(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Bookmarks(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Telemetry(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Roster(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Snapshot(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Catalog(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Eval(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Handoffs(), options, rounds, blockMs);
        CompareCorpusType(CorpusSamples.Guardrails(), options, rounds, blockMs);
    }

    private static void CompareCorpusType<T>(T value, BenchmarkArguments options, int rounds, double blockMs)
        where T : IStateType<T>
    {
        var name = typeof(T).Name;
        var fixture = new CorpusFixture<T>(value, (JsonTypeInfo<T>)s_sameBytesContext.GetTypeInfo(typeof(T))!, (JsonTypeInfo<T>)CorpusContext.Default.GetTypeInfo(typeof(T))!);
        if (fixture.Mismatch is { } mismatch)
        {
            Console.WriteLine($"| Corpus {name}: not compared, {mismatch} | | | | | | | | |");
            return;
        }

        void Row<TRaw, TTyped>(string comparison, TRaw raw, TTyped typed)
            where TRaw : struct, IOp
            where TTyped : struct, IOp =>
            CompareSelected($"Corpus {comparison} ({name}, {fixture.Document.Length} B)", raw, typed, options, rounds, blockMs);

        Row("serialize: STJ source-gen, same bytes vs TypedState", new CorpusStjWrite<T>(fixture, fastPath: false), new CorpusTypedStateWrite<T>(fixture));
        Row("serialize: STJ source-gen fast path, default encoder vs TypedState", new CorpusStjWrite<T>(fixture, fastPath: true), new CorpusTypedStateWrite<T>(fixture));
        if (fixture.StjReads)
        {
            Row("deserialize: STJ source-gen vs TypedState", new CorpusStjRead<T>(fixture), new CorpusTypedStateRead<T>(fixture));
        }
    }

    /// <summary>One corpus value, its documents, and the checks that both sides write the same bytes and read the same value.</summary>
    private sealed class CorpusFixture<T>
        where T : IStateType<T>
    {
        public CorpusFixture(T value, JsonTypeInfo<T> sameBytes, JsonTypeInfo<T> fastPath)
        {
            (Value, SameBytes, FastPath) = (value, sameBytes, fastPath);
            Document = T.Schema.Serialize(value);
            StjDocument = JsonSerializer.SerializeToUtf8Bytes(value, sameBytes);
            var prefix = "{\"$version\":1,"u8;
            if (!Document.AsSpan().StartsWith(prefix) || !Document.AsSpan(prefix.Length).SequenceEqual(StjDocument.AsSpan(1)))
            {
                Mismatch = "the documents differ";
                return;
            }

            // System.Text.Json cannot read frozen collections back, nor set a [JsonInclude] private setter from a
            // source-generated context: those types are compared writing only.
            try
            {
                StjReads = JsonSerializer.Serialize(JsonSerializer.Deserialize(StjDocument, sameBytes)!, sameBytes) == Encoding.UTF8.GetString(StjDocument);
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
            {
                StjReads = false;
            }

            if (JsonSerializer.Serialize(T.Schema.Deserialize(Document), sameBytes) != Encoding.UTF8.GetString(StjDocument))
            {
                Mismatch = "TypedState does not read its document back";
            }
        }

        public T Value { get; }

        public JsonTypeInfo<T> SameBytes { get; }

        public JsonTypeInfo<T> FastPath { get; }

        public byte[] Document { get; }

        public byte[] StjDocument { get; }

        public bool StjReads { get; }

        public string? Mismatch { get; }
    }

    private readonly struct CorpusStjWrite<T>(CorpusFixture<T> fixture, bool fastPath) : IOp
        where T : IStateType<T>
    {
        public void Run() => s_sink += JsonSerializer.SerializeToUtf8Bytes(fixture.Value, fastPath ? fixture.FastPath : fixture.SameBytes).Length;
    }

    private readonly struct CorpusTypedStateWrite<T>(CorpusFixture<T> fixture) : IOp
        where T : IStateType<T>
    {
        public void Run() => s_sink += T.Schema.Serialize(fixture.Value).Length;
    }

    private readonly struct CorpusStjRead<T>(CorpusFixture<T> fixture) : IOp
        where T : IStateType<T>
    {
        public void Run() => s_sink += JsonSerializer.Deserialize(fixture.StjDocument, fixture.SameBytes) is null ? 0 : 1;
    }

    private readonly struct CorpusTypedStateRead<T>(CorpusFixture<T> fixture) : IOp
        where T : IStateType<T>
    {
        public void Run() => s_sink += T.Schema.Deserialize(fixture.Document) is null ? 0 : 1;
    }
}
