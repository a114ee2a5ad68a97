using System.Text;
using System.Text.Json;

namespace TypedState.Testing;

/// <summary>
/// What "the same stored value" means in the driver contract (<see cref="TypedState.Storage.IStateDriver"/>): a
/// driver returns a JSON document as an equal document — it may re-render whitespace, the order of an object's
/// properties and the spelling of numbers and string escapes — and any bytes that are not one JSON document
/// exactly as written.
/// </summary>
internal static class StoredDocuments
{
    /// <summary>Asserts that <paramref name="actual"/> is the value written as <paramref name="written"/>, by the contract.</summary>
    public static void AssertSame(byte[] written, ReadOnlyMemory<byte> actual)
    {
        if (!TryParse(written, out var expectedDocument))
        {
            Assert.Equal(written, actual.ToArray());
            return;
        }

        using (expectedDocument)
        {
            Assert.True(
                TryParse(actual.ToArray(), out var actualDocument),
                $"The stored value of the JSON document {Encoding.UTF8.GetString(written)} came back as bytes that are not JSON: {Convert.ToHexString(actual.Span)}");
            using (actualDocument)
            {
                Assert.True(
                    AreEqual(expectedDocument.RootElement, actualDocument.RootElement),
                    $"Expected the JSON document {Encoding.UTF8.GetString(written)}, got {Encoding.UTF8.GetString(actual.Span)}");
            }
        }
    }

    /// <summary>
    /// Whether two JSON values are equal documents: the same kind; strings by their unescaped text (or their
    /// spelling, when they cannot be unescaped); numbers by their exact decimal value; arrays element by element;
    /// objects by their properties sorted by name (properties of the same name keep their relative order, so a
    /// repeated name must come back repeated, in order).
    /// </summary>
    public static bool AreEqual(JsonElement expected, JsonElement actual)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return false;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var expectedProperties = SortedProperties(expected);
                var actualProperties = SortedProperties(actual);
                return expectedProperties.Count == actualProperties.Count
                    && expectedProperties.Zip(actualProperties).All(p => p.First.Name == p.Second.Name && AreEqual(p.First.Value, p.Second.Value));
            case JsonValueKind.Array:
                return expected.GetArrayLength() == actual.GetArrayLength()
                    && expected.EnumerateArray().Zip(actual.EnumerateArray()).All(p => AreEqual(p.First, p.Second));
            case JsonValueKind.String:
                return string.Equals(Text(expected), Text(actual), StringComparison.Ordinal);
            case JsonValueKind.Number:
                return CanonicalNumber(expected.GetRawText()) == CanonicalNumber(actual.GetRawText());
            default:
                return true; // true, false, null
        }
    }

    /// <summary>
    /// A number's exact decimal value as sign, significant digits and exponent (<c>1.50e2</c>, <c>150</c> and
    /// <c>15E1</c> are all <c>+15e1</c>), so numbers of any size compare without rounding. A zero keeps its sign:
    /// <c>-0.0</c> deserializes to a different <see cref="double"/> than <c>0</c>.
    /// </summary>
    public static string CanonicalNumber(string number)
    {
        var negative = number.StartsWith('-');
        var body = negative ? number[1..] : number;
        var e = body.IndexOfAny(['e', 'E']);
        var exponent = e < 0 ? 0 : long.Parse(body[(e + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? body : body[..e];
        var point = mantissa.IndexOf('.');
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        exponent -= point < 0 ? 0 : mantissa.Length - point - 1;
        var significant = digits.TrimStart('0');
        if (significant.Length == 0)
        {
            return negative ? "-0" : "+0";
        }

        var trimmed = significant.TrimEnd('0');
        exponent += significant.Length - trimmed.Length;
        return (negative ? "-" : "+") + trimmed + "e" + exponent.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A string's text; one System.Text.Json cannot decode (an unpaired surrogate escape) must keep its spelling.</summary>
    private static string Text(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return "raw:" + element.GetRawText();
        }
    }

    private static List<JsonProperty> SortedProperties(JsonElement element) =>
        [.. element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)]; // OrderBy is stable

    private static bool TryParse(byte[] bytes, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
            return true;
        }
        catch (JsonException)
        {
            document = null!;
            return false;
        }
    }
}
