using System.Text.Json;
using System.Text.Unicode;

namespace TypedState;

/// <summary>
/// Whether bytes are one well-formed JSON value in UTF-8: what raw writes must be, and what tells a value that does not
/// fit its type (<see cref="StateTypeMismatchException"/>) from unreadable bytes (<see cref="CorruptStateException"/>).
/// </summary>
internal static class JsonValueCheck
{
    /// <summary>Null when <paramref name="utf8Json"/> is one well-formed JSON value; otherwise what is wrong, as a sentence.</summary>
    public static string? Problem(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            return "it is empty.";
        }

        // Strict: no comments, no trailing commas, one value, default depth (what the serializer reads back).
        var reader = new Utf8JsonReader(utf8Json);
        try
        {
            while (reader.Read())
            {
                // The reader checks structure, not the UTF-8 inside strings; reading them back would fail.
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !Utf8.IsValid(reader.ValueSpan))
                {
                    return $"a string at byte {reader.TokenStartIndex} is not valid UTF-8.";
                }
            }
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }

        return null;
    }
}
