using System.ComponentModel;
using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>Strings as collection elements: a JSON string, or null.</summary>
/// <remarks>For the code the TypedState generator emits; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct StateJsonStringCodec : IStateJsonCodec<string>
{
    /// <inheritdoc />
    public static string Read(ref Utf8JsonReader reader) => reader.GetString()!;

    /// <inheritdoc />
    public static void Write(Utf8JsonWriter writer, string value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    /// <inheritdoc />
    public static void Write(Utf8JsonWriter writer, string propertyName, string value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString(propertyName, value);
    }
}
