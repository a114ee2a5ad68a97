using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TypedState.Benchmarks.Serialization;

/// <summary>
/// The same value of a state type serialized and read back by: the TypedState generated serializer (through
/// <c>T.Schema</c>), System.Text.Json reflection with the web defaults (warmed up), and the System.Text.Json
/// source-generated contexts with the web defaults (metadata mode, and the default mode whose serialization takes the
/// generated fast path). The constructor checks that all of them write the same document (TypedState adds its
/// <c>"$version":1,</c> first) and read back the same value.
/// </summary>
/// <typeparam name="T">The state type, at version 1.</typeparam>
public sealed class SerializerFixture<T>
    where T : class, IStateType<T>
{
    private static readonly byte[] s_versionProperty = "\"$version\":1,"u8.ToArray();

    private readonly JsonSerializerOptions _reflection = new(JsonSerializerDefaults.Web);
    private readonly StateSchema<T> _schema = T.Schema;
    private readonly JsonTypeInfo<T> _metadata;
    private readonly JsonTypeInfo<T> _fastPath;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;

    /// <param name="name">The type's name in the output.</param>
    /// <param name="value">The value every side writes.</param>
    /// <param name="metadata">The type in a source-generated context in metadata mode.</param>
    /// <param name="fastPath">The type in a source-generated context in its default mode.</param>
    public SerializerFixture(string name, T value, JsonTypeInfo<T> metadata, JsonTypeInfo<T> fastPath)
    {
        Name = name;
        Value = value;
        _metadata = metadata;
        _fastPath = fastPath;
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = new StateManagerOptions().SerializerOptions.Encoder });
        TypedStateDocument = _schema.Serialize(Value);
        StjDocument = JsonSerializer.SerializeToUtf8Bytes(Value, _reflection);

        if (_metadata.SerializeHandler is not null || _fastPath.SerializeHandler is null)
        {
            throw new InvalidOperationException("The metadata context must have no fast-path serializer and the default-mode context must have one.");
        }

        // Same bytes from every writer, once TypedState's version property is taken out.
        var withoutVersion = TypedStateDocument.AsSpan(0, 1).ToArray().Concat(TypedStateDocument.AsSpan(1 + s_versionProperty.Length).ToArray()).ToArray();
        if (!TypedStateDocument.AsSpan(1).StartsWith(s_versionProperty))
        {
            throw new InvalidOperationException("TypedState's document does not start with its version.");
        }

        if (!GeneratedWriterSerialize().AsSpan().SequenceEqual(TypedStateDocument) || !JsonSerializer.SerializeToUtf8Bytes(GeneratedReaderDeserialize(), _reflection).AsSpan().SequenceEqual(StjDocument))
        {
            throw new InvalidOperationException("The generated writer or reader, called directly, disagrees with StateSchema.");
        }

        foreach (var (side, bytes) in new[] { ("reflection", StjDocument), ("metadata", MetadataSerialize()), ("fast path", FastPathSerialize()), ("TypedState", withoutVersion) })
        {
            if (!bytes.AsSpan().SequenceEqual(StjDocument))
            {
                throw new InvalidOperationException($"The {side} document differs:\n{Encoding.UTF8.GetString(bytes)}\n{Encoding.UTF8.GetString(StjDocument)}");
            }
        }

        // Every reader gives back the same value (compared through its canonical document).
        foreach (var read in new[] { TypedStateDeserialize(), ReflectionDeserialize(), MetadataDeserialize() })
        {
            if (!JsonSerializer.SerializeToUtf8Bytes(read, _reflection).AsSpan().SequenceEqual(StjDocument))
            {
                throw new InvalidOperationException("A reader did not round-trip the sample.");
            }
        }
    }

    /// <summary>The type's name in the output.</summary>
    public string Name { get; }

    public T Value { get; }

    /// <summary>What TypedState stores: the System.Text.Json document with <c>"$version":1</c> first.</summary>
    public byte[] TypedStateDocument { get; }

    /// <summary>What System.Text.Json writes with the web defaults (reflection and both contexts alike).</summary>
    public byte[] StjDocument { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[] TypedStateSerialize() => _schema.Serialize(Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[] ReflectionSerialize() => JsonSerializer.SerializeToUtf8Bytes(Value, _reflection);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[] MetadataSerialize() => JsonSerializer.SerializeToUtf8Bytes(Value, _metadata);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[] FastPathSerialize() => JsonSerializer.SerializeToUtf8Bytes(Value, _fastPath);

    /// <summary>
    /// Step: the generated writer called directly on a reused writer and buffer (what <c>Serialize</c> does without
    /// <c>JsonSerializer</c>, its pooled writer and the converter dispatch), then the copy to a new array.
    /// </summary>
    public byte[] GeneratedWriterSerialize()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteNumber("$version"u8, 1);
        T.WriteProperties(_writer, Value);
        _writer.WriteEndObject();
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Step: the generated reader called directly on a reader over the document (no <c>JsonSerializer</c>, no converter).</summary>
    public T GeneratedReaderDeserialize()
    {
        var reader = new Utf8JsonReader(TypedStateDocument);
        reader.Read();
        return T.Read(ref reader, out _);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T TypedStateDeserialize() => _schema.Deserialize(TypedStateDocument);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T ReflectionDeserialize() => JsonSerializer.Deserialize<T>(StjDocument, _reflection)!;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T MetadataDeserialize() => JsonSerializer.Deserialize(StjDocument, _metadata)!;
}
