using System.Text.Json;
using TypedState.Storage;

namespace TypedState.Tool.Output;

/// <summary>A record as a JSON object: owner, key, version, size, and the value (as JSON, or base64 when it is not JSON).</summary>
internal static class RecordJson
{
    public static void Write(Utf8JsonWriter writer, StateOwner owner, StoredRecord record, bool withValue)
    {
        writer.WriteStartObject();
        OwnerJson.Write(writer, owner);
        writer.WriteString("key", record.Key);
        writer.WriteNumber("version", record.Version);
        writer.WriteNumber("bytes", record.Value.Length);
        if (withValue)
        {
            WriteValue(writer, "value", record.Value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a stored value under <paramref name="name"/>: raw JSON when it parses, else <c>{name}Base64</c>.</summary>
    public static void WriteValue(Utf8JsonWriter writer, string name, ReadOnlyMemory<byte> value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            writer.WritePropertyName(name);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteBase64String(name + "Base64", value.Span);
        }
    }
}
