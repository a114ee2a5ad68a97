using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TypedState.Storage;

namespace TypedState;

/// <summary>
/// Where and how a quarantined record is kept: one global record per quarantined record, under a key that starts with
/// U+0001. Keys refuse control characters, so the application can neither name such a key nor list it (the manager's
/// listings leave out <see cref="IsReserved"/> keys). The value is a JSON envelope holding the original bytes in base64,
/// so bytes that are not JSON survive every driver unchanged.
/// </summary>
internal static class QuarantineEnvelope
{
    /// <summary>The start of every quarantine key; what follows is the record's quarantine id.</summary>
    public const string KeyPrefix = "\u0001quarantine/";

    /// <summary>Whether <paramref name="key"/> belongs to the store itself and is never served to the application.</summary>
    public static bool IsReserved(string key) => key.Length > 0 && key[0] == '\u0001';

    /// <summary>
    /// The id of a record quarantined at <paramref name="version"/>: a hash of its owner and key, and the version. A
    /// version is never reused for an owner and key, so a record quarantined twice (after a restore) gets two ids.
    /// </summary>
    public static string IdOf(StateOwner owner, string key, long version)
    {
        var text = string.Join('\n', ((int)owner.Scope).ToString(CultureInfo.InvariantCulture), owner.GuildIdOrEmpty, owner.AgentIdOrEmpty, key);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(hash, 0, 8) + "-" + version.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The two writes of one atomic move: delete the record at the version read, create its envelope.</summary>
    public static StateWrite[] MoveWrites(StateOwner owner, StoredRecord stored, string reason, DateTimeOffset at, out string id)
    {
        id = IdOf(owner, stored.Key, stored.Version);
        var envelope = Encode(id, owner, stored, reason, at);
        return
        [
            new StateWrite(owner, stored.Key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, stored.Version),
            new StateWrite(StateOwner.Global, KeyPrefix + id, StateWriteKind.Set, envelope, 0),
        ];
    }

    public static byte[] Encode(string id, StateOwner owner, StoredRecord stored, string reason, DateTimeOffset at)
    {
        using var buffer = new MemoryStream(stored.Value.Length * 4 / 3 + 256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("scope", owner.Scope.ToString());
            writer.WriteString("guild", owner.GuildIdOrEmpty);
            writer.WriteString("agent", owner.AgentIdOrEmpty);
            writer.WriteString("key", stored.Key);
            writer.WriteNumber("version", stored.Version);
            writer.WriteString("reason", reason);
            writer.WriteString("quarantinedAt", at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            writer.WriteBase64String("value", stored.Value.Span);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads an envelope back; <see cref="CorruptStateException"/> (naming its global key) when it is not one.</summary>
    public static QuarantinedRecord Decode(StoredRecord envelope)
    {
        try
        {
            using var document = JsonDocument.Parse(envelope.Value);
            var root = document.RootElement;
            var scope = Enum.Parse<Scope>(root.GetProperty("scope").GetString()!);
            var owner = StateOwner.FromStored(scope, root.GetProperty("guild").GetString()!, root.GetProperty("agent").GetString()!);
            return new QuarantinedRecord(
                root.GetProperty("id").GetString()!,
                owner,
                root.GetProperty("key").GetString()!,
                root.GetProperty("version").GetInt64(),
                root.GetProperty("reason").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("quarantinedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                root.GetProperty("value").GetBytesFromBase64());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new CorruptStateException(StateOwner.Global, envelope.Key, envelope.Version, typeof(QuarantinedRecord), ex);
        }
    }
}
