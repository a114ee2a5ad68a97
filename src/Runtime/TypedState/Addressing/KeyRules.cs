using System.Text;

namespace TypedState;

/// <summary>The rules every key, prefix and owner id obeys, written once for all drivers.</summary>
internal static class KeyRules
{
    /// <summary>Returns why <paramref name="value"/> is not acceptable, or <see langword="null"/> when it is.</summary>
    public static string? Describe(string value, int maxLength, bool allowEmpty)
    {
        if (value.Length == 0)
        {
            return allowEmpty ? null : "it is empty";
        }

        if (value.Length > maxLength)
        {
            return $"it is {value.Length} characters long, the limit is {maxLength}";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return $"it contains the control character U+{(int)c:X4} at position {i}";
            }

            if (char.IsSurrogate(c))
            {
                // Lone surrogates cannot round-trip through UTF-8 storage, so they would silently change.
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                return $"it contains an unpaired surrogate at position {i}";
            }
        }

        return null;
    }

    /// <summary>A form of <paramref name="value"/> safe to put in a message: control characters escaped, long values cut.</summary>
    public static string Printable(string? value)
    {
        if (value is null)
        {
            return "(null)";
        }

        const int limit = 120;
        var builder = new StringBuilder(Math.Min(value.Length, limit) + 8);
        foreach (var c in value.Length > limit ? value.AsSpan(0, limit) : value.AsSpan())
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                builder.Append(@"\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        if (value.Length > limit)
        {
            builder.Append("…(").Append(value.Length).Append(" chars)");
        }

        return builder.ToString();
    }
}
