using System.ComponentModel;
using System.Text.Json;

namespace TypedState;

/// <summary>Strings as collection elements: a JSON string, or null.</summary>
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
