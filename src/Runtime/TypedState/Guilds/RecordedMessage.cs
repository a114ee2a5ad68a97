using System.Text;
using System.Text.Json;
using TypedState.Timeline;

namespace TypedState.Guilds;

/// <summary>A message the guild host delivered and recorded in the guild's timeline (<see cref="GuildOptions.RecordMessages"/>).</summary>
/// <param name="Sequence">The entry's sequence: the handler's writes follow it.</param>
/// <param name="AgentId">The recipient.</param>
/// <param name="MessageType">The message's .NET type name (<see cref="Type.FullName"/>).</param>
/// <param name="Payload">The message as JSON, written with the store's serializer options.</param>
public sealed record RecordedMessage(long Sequence, string AgentId, string MessageType, ReadOnlyMemory<byte> Payload)
{
    private const string Marker = "$message";

    /// <summary>Reads a recorded message from a timeline entry; false when the entry is not one.</summary>
    public static bool TryRead(TimelineEntry entry, out RecordedMessage message)
    {
        ArgumentNullException.ThrowIfNull(entry);
        message = null!;
        if (entry.Kind != TimelineEntryKind.Append || entry.Owner.Scope != Scope.Agent || !StartsWithMarker(entry.Value.Span))
        {
            return false;
        }

        using var document = JsonDocument.Parse(entry.Value);
        if (!document.RootElement.TryGetProperty(Marker, out var body)
            || !body.TryGetProperty("type", out var type)
            || !body.TryGetProperty("payload", out var payload))
        {
            return false;
        }

        message = new RecordedMessage(entry.Sequence, entry.Owner.AgentIdOrEmpty, type.GetString() ?? string.Empty, Encoding.UTF8.GetBytes(payload.GetRawText()));
        return true;
    }

    /// <summary>The document stored for a delivered message: <c>{"$message":{"type":…,"payload":…}}</c>.</summary>
    internal static byte[] Envelope(string messageType, ReadOnlySpan<byte> payload)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(Marker);
            writer.WriteString("type", messageType);
            writer.WritePropertyName("payload");
            writer.WriteRawValue(payload, skipInputValidation: true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // A cheap test before parsing: every envelope starts with its marker property (drivers may re-render whitespace).
    private static bool StartsWithMarker(ReadOnlySpan<byte> json) => json.IndexOf("\"$message\""u8) is >= 0 and < 8;
}
