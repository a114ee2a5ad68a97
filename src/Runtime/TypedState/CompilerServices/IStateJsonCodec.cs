using System.ComponentModel;
using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>
/// How the generated serializers read and write one element of a collection member (a list, array or set item, or a
/// dictionary value), for <see cref="StateJsonCollections"/>: implemented by <see cref="StateJsonStringCodec"/> and
/// <see cref="StateJsonValueCodec{T}"/>, structs passed as type arguments, so that each element is read and written by
/// a static call, with no delegate and no boxing.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>For the code the TypedState generator emits; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IStateJsonCodec<T>
{
    /// <summary>Reads an element; the reader is on its first token and is left on its last.</summary>
    static abstract T Read(ref Utf8JsonReader reader);

    /// <summary>Writes an element where a value is expected (an array item).</summary>
    static abstract void Write(Utf8JsonWriter writer, T value);

    /// <summary>Writes an element as a property (a dictionary entry).</summary>
    static abstract void Write(Utf8JsonWriter writer, string propertyName, T value);
}
