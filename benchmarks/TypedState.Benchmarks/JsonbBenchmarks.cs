using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using BenchmarkDotNet.Attributes;
using TypedState.Postgres;

namespace TypedState.Benchmarks;

/// <summary>
/// What the PostgreSQL driver's jsonb check (<c>JsonbDocuments.CanStore</c>: a <see cref="Utf8JsonReader"/> pass
/// plus a UTF-8 check) costs per write, next to serializing the same value and to the UTF-8 check alone. Documents:
/// the 68-byte <see cref="Profile"/> every driver benchmark stores, a 4 KB record with nested objects and escaped
/// strings, and a 64 KB dictionary of 2000 keys (whose duplicate check sorts the names).
/// </summary>
[MemoryDiagnoser]
public class JsonbCheckBenchmarks
{
    private readonly Profile _profile = Sample.Create();
    private byte[] _document = [];

    [Params("Profile 68 B", "record 4 KB", "dictionary 64 KB")]
    public string Document { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _document = Document switch
        {
            "Profile 68 B" => JsonSerializer.SerializeToUtf8Bytes(_profile, Sample.TypeInfo),
            "record 4 KB" => Encoding.UTF8.GetBytes("{" + string.Join(",", Enumerable.Range(0, 40).Select(i =>
                $"\"item{i}\":{{\"name\":\"line \\\"{i}\\\"\\n日本 🙂\",\"count\":{i * 37},\"ratio\":{i / 7.0:R},\"tags\":[\"a\",\"b\",null,true]}}")) + "}"),
            _ => Encoding.UTF8.GetBytes("{" + string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"key-{i * 7919 % 2000:D5}-{i}\":{i}")) + "}"),
        };
        if (!JsonbDocuments.CanStore(_document))
        {
            throw new InvalidOperationException($"The {Document} document should go to jsonb.");
        }
    }

    [Benchmark(Baseline = true, Description = "SerializeToUtf8Bytes(Profile), for scale")]
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(_profile, Sample.TypeInfo);

    [Benchmark(Description = "Utf8.IsValid")]
    public bool Utf8Check() => Utf8.IsValid(_document);

    [Benchmark(Description = "Utf8JsonReader pass alone")]
    public int ReaderPass()
    {
        var reader = new Utf8JsonReader(_document);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark(Description = "JsonbDocuments.CanStore")]
    public bool CanStore() => JsonbDocuments.CanStore(_document);
}
