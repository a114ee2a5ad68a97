using System.Security.Cryptography;
using System.Text;

namespace TypedState.AgentFramework;

/// <summary>
/// Turns framework ids (unbounded, any characters) into key segments and owner ids that fit TypedState's rules:
/// escaped so that '/' cannot forge a path, and hashed beyond a length so that keys stay under the key limit.
/// </summary>
internal static class KeySegments
{
    /// <summary>Segments longer than this are shortened to a readable head and a hash.</summary>
    public const int MaxSegmentLength = 80;

    /// <summary>Owner ids longer than this (the limit is <see cref="StateOwner.MaxIdLength"/>) are hashed.</summary>
    public const int MaxOwnerIdLength = 200;

    private const int HeadLength = 40;

    /// <summary>A key segment: <paramref name="raw"/> percent-escaped, hashed when the escaped form is too long.</summary>
    public static string Segment(string raw)
    {
        var escaped = Escape(raw);
        return escaped.Length <= MaxSegmentLength ? escaped : Shorten(escaped, raw);
    }

    /// <summary>An owner id: <paramref name="raw"/> as it is when TypedState accepts it, otherwise escaped and hashed.</summary>
    public static string OwnerId(string raw)
    {
        if (raw.Length is > 0 and <= MaxOwnerIdLength && IsPlain(raw))
        {
            return raw;
        }

        var escaped = Escape(raw);
        return escaped.Length is > 0 and <= MaxOwnerIdLength ? escaped : Shorten(escaped, raw);
    }

    /// <summary>One segment for a set of partitions: "-" when there are none, otherwise name=value pairs in name order.</summary>
    public static string Partitions(IReadOnlyDictionary<string, string>? partitions)
    {
        if (partitions is null || partitions.Count == 0)
        {
            return "-";
        }

        var joined = string.Join('&', partitions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Escape(p.Key)}={Escape(p.Value)}"));
        return joined.Length <= MaxSegmentLength ? joined : Shorten(joined, joined);
    }

    private static string Shorten(string escaped, string raw)
    {
        // The head keeps listings readable; the hash of the raw id keeps distinct ids distinct.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(raw));
        var head = escaped.AsSpan(0, Math.Min(HeadLength, escaped.Length)).TrimEnd('%');
        return string.Concat(head, "~", Convert.ToHexStringLower(hash.AsSpan(0, 16)));
    }

    private static string Escape(string raw)
    {
        if (raw.Length == 0)
        {
            return "%00";
        }

        var builder = new StringBuilder(raw.Length);
        foreach (var b in Encoding.UTF8.GetBytes(raw))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)':' or (byte)'@')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static bool IsPlain(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
