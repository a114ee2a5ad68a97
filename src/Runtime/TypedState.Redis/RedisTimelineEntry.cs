using System.Globalization;
using System.Text;
using TypedState.Timeline;

namespace TypedState.Redis;

/// <summary>
/// A timeline entry as the scripts store it (<c>encode</c> in <see cref="RedisScripts.TimelineFunctions"/>): seven
/// fields ended by newlines — kind (<c>s</c> set, <c>d</c> delete, <c>a</c> append, <c>r</c> agent removal), previous
/// version, version, commit id (32 hex digits or empty), time (server microseconds), op (<c>g</c> for the guild
/// owner, <c>a&lt;agent id&gt;</c>), the key's byte length — then the key and the value. Ids and keys hold no control
/// characters, so the newlines are unambiguous; the owner is stored without its guild, so a fork reads its source's
/// entries as its own.
/// </summary>
internal static class RedisTimelineEntry
{
    /// <summary>Decodes an entry of <paramref name="guildId"/>'s timeline (or of a source it reads through).</summary>
    public static TimelineEntry Decode(string guildId, long sequence, byte[] stored)
    {
        Span<Range> fields = stackalloc Range[7];
        var position = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            var end = Array.IndexOf(stored, (byte)'\n', position);
            fields[i] = position..end;
            position = end + 1;
        }

        var span = stored.AsSpan();
        var keyLength = Number(span[fields[6]]);
        var kind = span[fields[0]][0] switch
        {
            (byte)'s' => TimelineEntryKind.Set,
            (byte)'d' => TimelineEntryKind.Delete,
            (byte)'a' => TimelineEntryKind.Append,
            _ => TimelineEntryKind.RemoveOwner,
        };
        var commit = span[fields[3]];
        return new TimelineEntry(
            sequence,
            kind,
            Owner(guildId, span[fields[5]]),
            Encoding.UTF8.GetString(span.Slice(position, (int)keyLength)),
            Number(span[fields[1]]),
            Number(span[fields[2]]),
            stored.AsMemory(position + (int)keyLength),
            commit.IsEmpty ? Guid.Empty : Guid.ParseExact(Encoding.ASCII.GetString(commit), "N"),
            DateTimeOffset.UnixEpoch.AddTicks(Number(span[fields[4]]) * 10));
    }

    /// <summary>The op of an owner in history members and entries: <c>g</c>, or <c>a</c> and the agent id.</summary>
    public static string Op(StateOwner owner) => owner.Scope == Scope.Agent ? "a" + owner.AgentIdOrEmpty : "g";

    /// <summary>The owner of <paramref name="guildId"/> an op names.</summary>
    public static StateOwner Owner(string guildId, ReadOnlySpan<byte> op) =>
        op[0] == (byte)'g' ? StateOwner.Guild(guildId) : StateOwner.Agent(guildId, Encoding.UTF8.GetString(op[1..]));

    private static long Number(ReadOnlySpan<byte> digits) => long.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
