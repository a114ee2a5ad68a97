namespace TypedState.Generators.Parsing;

/// <summary>The rules a state key must meet (TSTATE1011).</summary>
internal static class StateKeyRules
{
    /// <summary>StateManagerOptions.DefaultMaxKeyLength, the limit generated state types' keys are checked against.</summary>
    private const int MaxKeyLength = 512;

    /// <summary>What is wrong with <paramref name="key"/>, or null: the rules the store applies at run time (KeyRules), checked at compile time.</summary>
    public static string? Describe(string key)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }

        if (key.Length > MaxKeyLength)
        {
            return $"it is {key.Length} characters long, the limit is {MaxKeyLength}";
        }

        for (var i = 0; i < key.Length; i++)
        {
            if (char.IsControl(key[i]))
            {
                return $"it contains the control character U+{(int)key[i]:X4} at position {i}";
            }

            if (char.IsSurrogate(key[i]))
            {
                if (char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
                {
                    i++;
                    continue;
                }

                return $"it contains an unpaired surrogate at position {i}";
            }
        }

        return null;
    }
}
