using System.Globalization;
using System.Text.Json;

namespace TypedState.Tool.Output;

/// <summary>A quarantined record as a JSON object: its id, where it came from, its version, the reason and when.</summary>
internal static class QuarantineJson
{
    public static void Write(Utf8JsonWriter writer, QuarantinedRecord record, bool withValue)
    {
        writer.WriteStartObject();
        writer.WriteString("id", record.Id);
        OwnerJson.Write(writer, record.Owner);
        writer.WriteString("key", record.Key);
        writer.WriteNumber("version", record.Version);
        writer.WriteString("reason", record.Reason);
        writer.WriteString("quarantinedAt", record.QuarantinedAt);
        writer.WriteNumber("bytes", record.Value.Length);
        if (withValue)
        {
            RecordJson.WriteValue(writer, "value", record.Value);
        }

        writer.WriteEndObject();
    }

    /// <summary>When a record was quarantined, to the minute, in UTC (<c>2026-12-04 15:20Z</c>); --json has it exactly.</summary>
    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
