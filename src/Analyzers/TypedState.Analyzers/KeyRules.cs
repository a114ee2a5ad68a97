namespace TypedState.Analyzers;

/// <summary>
/// The runtime's key and id rules (TypedState's internal KeyRules), checked on constants at compile time: a value
/// that breaks them throws on every run.
/// </summary>
internal static class KeyRules
{
    /// <summary>StateManagerOptions.DefaultMaxKeyLength; a project with another limit sets typedstate.max_key_length.</summary>
    public const int DefaultMaxKeyLength = 512;

    /// <summary>StateOwner.MaxIdLength.</summary>
    public const int MaxIdLength = 256;

    /// <summary>Why <paramref name="value"/> is refused, or null when it is acceptable.</summary>
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

    /// <summary>The value as a message shows it: control characters escaped, long values cut.</summary>
    public static string Printable(string value)
    {
        const int limit = 60;
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < value.Length && i < limit; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        if (value.Length > limit)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }
}
