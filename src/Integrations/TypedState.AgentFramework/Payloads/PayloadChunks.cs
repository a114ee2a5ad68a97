namespace TypedState.AgentFramework;

/// <summary>Splits JSON text into parts whose serialized form fits a byte budget.</summary>
internal static class PayloadChunks
{
    /// <summary>Room left in a record for everything but the text: property names, etag, counts.</summary>
    public const int EnvelopeBytes = 256;

    /// <summary>
    /// Splits <paramref name="text"/>: the first part within <paramref name="firstBudget"/> bytes, the others within
    /// <paramref name="budget"/>, never between the halves of a surrogate pair.
    /// </summary>
    public static List<string> Split(string text, int firstBudget, int budget)
    {
        var parts = new List<string>();
        var start = 0;
        var cost = 0;
        var limit = firstBudget;
        for (var i = 0; i < text.Length; i++)
        {
            var c = Cost(text[i]);
            if (cost + c > limit && i > start && !(char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1])))
            {
                parts.Add(text[start..i]);
                start = i;
                cost = 0;
                limit = budget;
            }

            cost += c;
        }

        parts.Add(text[start..]);
        return parts;
    }

    /// <summary>
    /// An upper bound of the bytes one UTF-16 unit takes inside a JSON string, whatever the encoder: six is the
    /// longest escape (\uXXXX); a quote or backslash takes two; other printable ASCII one, except the characters
    /// web encoders escape.
    /// </summary>
    private static int Cost(char c) => c switch
    {
        '"' or '\\' => 2,
        '<' or '>' or '&' or '\'' or '+' or '`' => 6,
        >= ' ' and < (char)0x7F => 1,
        _ => 6,
    };
}
