using System.Text.Json;

namespace TypedState.Timeline;

/// <summary>
/// How a <see cref="GuildSnapshot"/> is stored: one JSON document, written and read without reflection.
/// <c>{"format":1,"guild":…,"sequence":…,"owners":[{"agent":null|"id","records":[{"key":…,"version":…,
/// "schemaVersion":…,"value":…}]}]}</c>; a value that is not a JSON document is kept as <c>"bytes"</c> (base64).
/// </summary>
internal static class SnapshotDocument
{
    private const int Format = 1;

    public static byte[] Write(GuildSnapshot snapshot)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", Format);
            writer.WriteString("guild", snapshot.GuildId);
            writer.WriteNumber("sequence", snapshot.Sequence);
            writer.WriteStartArray("owners");
            foreach (var owner in snapshot.Owners)
            {
                writer.WriteStartObject();
                writer.WriteString("agent", owner.Owner.AgentId);
                writer.WriteStartArray("records");
                foreach (var record in owner.Records)
                {
                    WriteRecord(writer, record);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a stored snapshot; throws <see cref="JsonException"/> when it is not one of this guild and sequence.</summary>
    public static GuildSnapshot Read(ReadOnlyMemory<byte> document, string guildId, long sequence)
    {
        using var json = JsonDocument.Parse(document);
        var root = json.RootElement;
        if (root.GetProperty("format").GetInt32() != Format
            || root.GetProperty("guild").GetString() != guildId
            || root.GetProperty("sequence").GetInt64() != sequence)
        {
            throw new JsonException($"The document is not a format {Format} snapshot of guild '{guildId}' at sequence {sequence}.");
        }

        var owners = new List<SnapshotOwner>();
        foreach (var owner in root.GetProperty("owners").EnumerateArray())
        {
            var agent = owner.GetProperty("agent").GetString();
            var records = new List<SnapshotRecord>();
            foreach (var record in owner.GetProperty("records").EnumerateArray())
            {
                var value = record.TryGetProperty("value", out var stored) ? System.Text.Encoding.UTF8.GetBytes(stored.GetRawText()) : record.GetProperty("bytes").GetBytesFromBase64();
                var schema = record.TryGetProperty("schemaVersion", out var version) ? version.GetInt32() : (int?)null;
                records.Add(new SnapshotRecord(record.GetProperty("key").GetString()!, record.GetProperty("version").GetInt64(), schema, value));
            }

            owners.Add(new SnapshotOwner(agent is null ? StateOwner.Guild(guildId) : StateOwner.Agent(guildId, agent), records));
        }

        return new GuildSnapshot(guildId, sequence, owners);
    }

    /// <summary>The <c>$version</c> of a typed state document (a top-level number), or null.</summary>
    public static int? SchemaVersionOf(ReadOnlySpan<byte> value)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isVersion = reader.ValueTextEquals("$version"u8);
                reader.Read();
                if (isVersion)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var version) ? version : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static void WriteRecord(Utf8JsonWriter writer, SnapshotRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("key", record.Key);
        writer.WriteNumber("version", record.Version);
        if (record.SchemaVersion is { } schema)
        {
            writer.WriteNumber("schemaVersion", schema);
        }

        if (IsJson(record.Value.Span))
        {
            writer.WritePropertyName("value");
            writer.WriteRawValue(record.Value.Span, skipInputValidation: true);
        }
        else
        {
            writer.WriteBase64String("bytes", record.Value.Span);
        }

        writer.WriteEndObject();
    }

    private static bool IsJson(ReadOnlySpan<byte> value)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            while (reader.Read())
            {
            }

            return value.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
