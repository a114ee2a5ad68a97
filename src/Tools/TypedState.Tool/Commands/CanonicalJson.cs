using System.Text.Json;

namespace TypedState.Tool.Commands;

/// <summary>
/// One spelling of a JSON document: no whitespace, object properties in ordinal order of their names, strings escaped
/// as <see cref="Utf8JsonWriter"/> escapes them, numbers as written. Two stores holding the same JSON content give the
/// same bytes, whatever each did to the layout.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>The canonical bytes of <paramref name="value"/>, or null when it is not JSON.</summary>
    public static byte[]? TryWrite(ReadOnlySpan<byte> value)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(value);
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                Write(writer, document.RootElement);
            }

            return buffer.ToArray();
        }
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
