using System.Buffers;
using System.Text.Json;
using TypedState.CompilerServices;

namespace TypedState;

/// <summary>
/// A <see cref="Utf8JsonWriter"/> and its buffer, kept per thread, that stored documents are written into before being
/// copied out once: a serialization then costs the generated writer and one array, as System.Text.Json's fast path
/// does, instead of a trip through <see cref="JsonSerializer"/> and a converter.
/// </summary>
internal sealed class StateDocumentWriter
{
    // JsonSerializerOptions' default MaxDepth for writing: a cycle in a value fails alike on either path.
    private const int MaxDepth = 64;

    // A thread keeps a buffer up to this size; one grown past it by a large document is dropped after the call.
    private const int KeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static StateDocumentWriter? s_cached;

    private readonly ArrayBufferWriter<byte> _buffer = new();
    private bool _rented;

    private StateDocumentWriter()
    {
        // No validation, as JsonSerializer writes: the generated writers produce well-formed JSON by construction.
        Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = StateJsonEncoder.Instance, MaxDepth = MaxDepth, SkipValidation = true });
    }

    /// <summary>The writer, empty and at depth 0.</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>The thread's writer, or a new one when it is in use further up the stack (a converter serializing within a write).</summary>
    public static StateDocumentWriter Rent()
    {
        var cached = s_cached;
        if (cached is null || cached._rented)
        {
            cached = new StateDocumentWriter();
            s_cached ??= cached;
        }

        cached._rented = true;
        return cached;
    }

    /// <summary>Flushes the writer and copies out what it wrote.</summary>
    public byte[] ToArray()
    {
        Writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Empties the writer for the next call, successful or not, and drops a buffer grown too large to keep.</summary>
    public void Return()
    {
        Writer.Reset();
        _buffer.ResetWrittenCount();
        _rented = false;
        if (_buffer.Capacity > KeptCapacity && ReferenceEquals(s_cached, this))
        {
            s_cached = null;
        }
    }
}
