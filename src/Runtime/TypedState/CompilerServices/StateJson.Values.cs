using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TypedState.CompilerServices;

// The values System.Text.Json writes with converters of its own (DateOnly, TimeOnly, Half, Int128, UInt128, Uri, JSON
// documents): the same text, read from the reader's buffer without an intermediate string.
public static partial class StateJson
{
    // The longest string any of these values reads from once unescaped (a Uri is read as a string).
    private const int MaxShortString = 64;

    // System.Text.Json's web defaults read JSON objects' property names ignoring case, in JsonNode members too.
    private static readonly JsonNodeOptions s_nodeOptions = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Writes a date as <c>yyyy-MM-dd</c>.</summary>
    public static void WriteDateOnly(Utf8JsonWriter writer, DateOnly value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> text = stackalloc byte[16];
        value.TryFormat(text, out var written, "O", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }

    /// <summary>Reads a date written as <c>yyyy-MM-dd</c>.</summary>
    public static DateOnly ReadDateOnly(ref Utf8JsonReader reader)
    {
        Span<char> buffer = stackalloc char[MaxShortString];
        return DateOnly.TryParseExact(buffer[..ShortString(ref reader, buffer)], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value
            : throw new JsonException("Expected a date in the format yyyy-MM-dd.");
    }

    /// <summary>Writes a time of day in the constant ("c") format of its time span, as System.Text.Json does.</summary>
    public static void WriteTimeOnly(Utf8JsonWriter writer, TimeOnly value) => WriteTimeSpan(writer, value.ToTimeSpan());

    /// <summary>Reads a time of day written as <c>hh:mm:ss[.fffffff]</c>.</summary>
    public static TimeOnly ReadTimeOnly(ref Utf8JsonReader reader)
    {
        var span = ReadTimeSpan(ref reader);
        return span >= TimeSpan.Zero && span.Ticks < TimeSpan.TicksPerDay
            ? new TimeOnly(span.Ticks)
            : throw new JsonException("Expected a time of day in the format hh:mm:ss[.fffffff].");
    }

    /// <summary>Writes a half-precision number as its shortest round-trippable text; not a number or infinity is refused, as System.Text.Json refuses it.</summary>
    public static void WriteHalf(Utf8JsonWriter writer, Half value) =>
        WriteNumber(writer, Half.IsFinite(value) ? value : throw new ArgumentException($"{value} is not a valid JSON number.", nameof(value)));

    /// <summary>Reads a half-precision number from a JSON number.</summary>
    public static Half ReadHalf(ref Utf8JsonReader reader)
    {
        var value = ReadNumber<Half>(ref reader, NumberStyles.Float);
        return Half.IsFinite(value) ? value : throw new JsonException("Expected a JSON number within the range of Half.");
    }

    /// <summary>Writes a 128-bit integer as a JSON number.</summary>
    public static void WriteInt128(Utf8JsonWriter writer, Int128 value) => WriteNumber(writer, value);

    /// <summary>Reads a 128-bit integer from a JSON number.</summary>
    public static Int128 ReadInt128(ref Utf8JsonReader reader) => ReadNumber<Int128>(ref reader, NumberStyles.Integer);

    /// <summary>Writes an unsigned 128-bit integer as a JSON number.</summary>
    public static void WriteUInt128(Utf8JsonWriter writer, UInt128 value) => WriteNumber(writer, value);

    /// <summary>Reads an unsigned 128-bit integer from a JSON number.</summary>
    public static UInt128 ReadUInt128(ref Utf8JsonReader reader) => ReadNumber<UInt128>(ref reader, NumberStyles.Integer);

    /// <summary>Writes a URI as its original string, or null.</summary>
    public static void WriteUri(Utf8JsonWriter writer, Uri? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value.OriginalString);
        }
    }

    /// <summary>Reads a URI, absolute or relative, or null.</summary>
    public static Uri? ReadUri(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null
        : Uri.TryCreate(reader.GetString(), UriKind.RelativeOrAbsolute, out var value) ? value
        : throw new JsonException("Expected a URI.");

    /// <summary>Writes a JSON document as it is.</summary>
    public static void WriteElement(Utf8JsonWriter writer, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        value.WriteTo(writer);
    }

    /// <summary>Reads any JSON value, null included, as a document.</summary>
    public static JsonElement ReadElement(ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);

    /// <summary>Writes a JSON node as it is, or null.</summary>
    public static void WriteNode(Utf8JsonWriter writer, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    /// <summary>Reads a JSON node of the kind <typeparamref name="TNode"/> (an object, an array, a value), or null.</summary>
    public static TNode? ReadNode<TNode>(ref Utf8JsonReader reader)
        where TNode : JsonNode
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var node = JsonNode.Parse(ref reader, s_nodeOptions);
        return node as TNode ?? throw new JsonException($"Expected a JSON value that reads as {typeof(TNode).Name}, not {node?.GetValueKind()}.");
    }

    /// <summary>Writes a dictionary key that is a number or a Guid as the property name System.Text.Json writes for it.</summary>
    public static void WriteKey<TKey>(Utf8JsonWriter writer, TKey key)
        where TKey : struct, IUtf8SpanFormattable
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> text = stackalloc byte[48];
        key.TryFormat(text, out var written, default, CultureInfo.InvariantCulture);
        writer.WritePropertyName(text[..written]);
    }

    /// <summary>Reads a dictionary key that is a number or a Guid from a property name.</summary>
    public static TKey ReadKey<TKey>(ref Utf8JsonReader reader)
        where TKey : struct, ISpanParsable<TKey>
    {
        Span<char> buffer = stackalloc char[MaxShortString];
        return TKey.TryParse(buffer[..ShortString(ref reader, buffer)], CultureInfo.InvariantCulture, out var key)
            ? key
            : throw new JsonException($"Expected a property name that reads as {typeof(TKey).Name}.");
    }

    /// <summary>Writes an enum dictionary key as its name (or its number when no name describes it), as System.Text.Json does.</summary>
    public static void WriteEnumKey<TEnum>(Utf8JsonWriter writer, TEnum key)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (StateJsonEnumNames<TEnum>.TryGet(key, out var name))
        {
            writer.WritePropertyName(name);
        }
        else
        {
            writer.WritePropertyName(key.ToString());
        }
    }

    /// <summary>Reads an enum dictionary key, written as its name or its number.</summary>
    public static TEnum ReadEnumKey<TEnum>(ref Utf8JsonReader reader)
        where TEnum : struct, Enum
    {
        Span<char> buffer = stackalloc char[MaxEnumName];
        var length = EnumText(ref reader, buffer);
        ReadOnlySpan<char> text = length >= 0 ? buffer[..length] : reader.GetString();
        return Enum.TryParse<TEnum>(text, ignoreCase: true, out var key)
            ? key
            : throw new JsonException($"'{text}' is not a name of {typeof(TEnum).Name}.");
    }

    /// <summary>Copies the unescaped text of a short string token into <paramref name="buffer"/>; returns its length.</summary>
    private static int ShortString(ref Utf8JsonReader reader, scoped Span<char> buffer)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            throw new JsonException($"Expected a string but found {reader.TokenType}.");
        }

        // Escaped text takes at most six bytes (\uXXXX) per character it gives: longer text cannot fit.
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > buffer.Length * 6L)
        {
            throw new JsonException("The string is too long for the value it should hold.");
        }

        try
        {
            return reader.CopyString(buffer);
        }
        catch (ArgumentException ex)
        {
            throw new JsonException("The string is too long for the value it should hold.", ex);
        }
    }

    /// <summary>Writes a number System.Text.Json writes as its invariant text (no Utf8JsonWriter overload takes it).</summary>
    private static void WriteNumber<T>(Utf8JsonWriter writer, T value)
        where T : IUtf8SpanFormattable
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> text = stackalloc byte[48];
        value.TryFormat(text, out var written, default, CultureInfo.InvariantCulture);
        writer.WriteRawValue(text[..written], skipInputValidation: true);
    }

    /// <summary>Reads a number token's text as a <typeparamref name="T"/>, straight from the reader's buffer.</summary>
    private static T ReadNumber<T>(ref Utf8JsonReader reader, NumberStyles style)
        where T : INumberBase<T>
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException($"Expected a number but found {reader.TokenType}.");
        }

        var text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        return T.TryParse(text, style, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new JsonException($"Expected a JSON number within the range of {typeof(T).Name}.");
    }
}
