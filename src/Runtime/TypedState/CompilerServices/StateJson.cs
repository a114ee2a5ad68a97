using System.ComponentModel;
using System.Globalization;
using System.Text.Json;

namespace TypedState.CompilerServices;

/// <summary>Helpers the generated serializers call; the formats match System.Text.Json's own converters.</summary>
/// <remarks>For the code the TypedState generator emits; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class StateJson
{
    /// <summary>Writes a state part as an object, or null.</summary>
    public static void WritePart<T>(Utf8JsonWriter writer, T? value)
        where T : IStatePart<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        T.WriteProperties(writer, value);
        writer.WriteEndObject();
    }

    /// <summary>Writes a state part as the object, or null, of a property (the same bytes as the property name, then <see cref="WritePart{T}(Utf8JsonWriter, T)"/>).</summary>
    public static void WritePart<T>(Utf8JsonWriter writer, JsonEncodedText propertyName, T? value)
        where T : IStatePart<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNull(propertyName);
            return;
        }

        writer.WriteStartObject(propertyName);
        T.WriteProperties(writer, value);
        writer.WriteEndObject();
    }

    /// <summary>Writes a state part as the object, or null, of a property named by a dictionary key.</summary>
    public static void WritePart<T>(Utf8JsonWriter writer, string propertyName, T? value)
        where T : IStatePart<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNull(propertyName);
            return;
        }

        writer.WriteStartObject(propertyName);
        T.WriteProperties(writer, value);
        writer.WriteEndObject();
    }

    /// <summary>Reads a state part from an object, or null from null; null for a struct part is an error, as in System.Text.Json.</summary>
    /// <exception cref="JsonException">The value is neither an object nor, for a class part, null.</exception>
    public static T ReadPart<T>(ref Utf8JsonReader reader)
        where T : IStatePart<T>
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            // Folded by the JIT for each T: a struct part cannot hold null, and default(T) would hide the corruption.
            return typeof(T).IsValueType ? throw NullStruct<T>(ref reader) : default!;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        return T.Read(ref reader, out _);
    }

    /// <summary>The error for a JSON null, where the reader stands, read as the struct <typeparamref name="T"/>.</summary>
    public static JsonException NullStruct<T>(ref Utf8JsonReader reader) =>
        new StateMemberException($"A JSON null cannot be read as the struct {typeof(T).Name}", reader.TokenStartIndex, null);

    /// <summary>
    /// The error for a document without the required member <paramref name="names"/>[<paramref name="index"/>] of
    /// <typeparamref name="T"/>, the reader standing on the end of the object that lacks it.
    /// </summary>
    public static JsonException MissingRequired<T>(ref Utf8JsonReader reader, StateJsonNames names, int index)
    {
        ArgumentNullException.ThrowIfNull(names);
        var name = names[index];
        return new StateMemberException($"The required member '{name}' of {typeof(T).Name} is missing", reader.TokenStartIndex, name);
    }

    /// <summary>
    /// The collection of a get-only member of <typeparamref name="TOwner"/> that the stored array or object, where the
    /// reader stands, is added to (as System.Text.Json's <c>JsonObjectCreationHandling.Populate</c> adds to it).
    /// </summary>
    /// <exception cref="JsonException">
    /// The value is a JSON null or not of the <paramref name="start"/> token type, or the member holds no collection, or
    /// a read-only one, so the stored elements have nowhere to go.
    /// </exception>
    public static TCollection Populating<TOwner, TCollection, TItem>(ref Utf8JsonReader reader, TCollection? collection, JsonTokenType start)
        where TCollection : class, ICollection<TItem>
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            throw new StateMemberException($"A JSON null cannot be read into the get-only collection member of {typeof(TOwner).Name}", reader.TokenStartIndex, null);
        }

        Expect(ref reader, start);
        if (collection is null)
        {
            throw new StateMemberException($"The get-only collection member of {typeof(TOwner).Name} is null, so its stored elements cannot be added to it (give it an initializer or a setter)", reader.TokenStartIndex, null);
        }

        return collection.IsReadOnly
            ? throw new StateMemberException($"The get-only collection member of {typeof(TOwner).Name} holds a read-only {collection.GetType().Name}, so its stored elements cannot be added to it", reader.TokenStartIndex, null)
            : collection;
    }

    /// <summary>Throws unless the reader is on a token of the expected type.</summary>
    /// <exception cref="JsonException">The token is of another type.</exception>
    public static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType != expected)
        {
            throw new JsonException($"Expected {expected} but found {reader.TokenType} at byte {reader.TokenStartIndex}.");
        }
    }

    /// <summary>Reads the <c>$version</c> of a state document.</summary>
    public static int ReadSchemaVersion(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var version) && version >= 1
            ? version
            : throw new JsonException($"The '{StateSchema.VersionPropertyName}' property must be a positive integer.");

    /// <summary>
    /// A property name encoded once, as the store writes it: with the encoder of its serializer options (non-ASCII text,
    /// emoji included, kept as UTF-8), as System.Text.Json encodes property names with the options' encoder.
    /// </summary>
    public static JsonEncodedText EncodeName(string name) => JsonEncodedText.Encode(name, StateJsonEncoder.Instance);

    /// <summary>Writes a character as a one-character string.</summary>
    public static void WriteChar(Utf8JsonWriter writer, char value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue([value]);
    }

    /// <summary>Reads a one-character string.</summary>
    public static char ReadChar(ref Utf8JsonReader reader)
    {
        Span<char> buffer = stackalloc char[MaxShortString];
        var text = buffer[..ShortString(ref reader, buffer)];
        return text.Length == 1 ? text[0] : throw new JsonException("Expected a string of exactly one character.");
    }

    /// <summary>Writes a time span in the constant ("c") format.</summary>
    public static void WriteTimeSpan(Utf8JsonWriter writer, TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> text = stackalloc char[32];
        value.TryFormat(text, out var written, "c", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }

    /// <summary>Reads a time span in the constant ("c") format.</summary>
    public static TimeSpan ReadTimeSpan(ref Utf8JsonReader reader)
    {
        Span<char> buffer = stackalloc char[MaxShortString];
        return TimeSpan.TryParseExact(buffer[..ShortString(ref reader, buffer)], "c", CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new JsonException("Expected a time span in the format [-][d.]hh:mm:ss[.fffffff].");
    }

    /// <summary>
    /// Writes an enum as its name (or comma-separated flag names); a value no names describe is written as its
    /// number, as System.Text.Json's JsonStringEnumConverter writes it (and as <see cref="ParseEnum"/>'s callers read it).
    /// </summary>
    public static void WriteEnumName<TEnum>(Utf8JsonWriter writer, TEnum value)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (StateJsonEnumNames<TEnum>.TryGet(value, out var name))
        {
            writer.WriteStringValue(name);
            return;
        }

        var text = value.ToString();
        if (text.Length > 0 && !char.IsAsciiDigit(text[0]) && text[0] != '-')
        {
            writer.WriteStringValue(text);
        }
        else if (Enum.GetUnderlyingType(typeof(TEnum)) == typeof(ulong))
        {
            writer.WriteNumberValue(Convert.ToUInt64(value, CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Reads an enum written as its name (or comma-separated flag names).</summary>
    public static TEnum ParseEnum<TEnum>(ref Utf8JsonReader reader)
        where TEnum : struct, Enum
    {
        Span<char> buffer = stackalloc char[MaxEnumName];
        var length = EnumText(ref reader, buffer);
        ReadOnlySpan<char> text = length >= 0 ? buffer[..length] : reader.GetString();
        return Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && !char.IsAsciiDigit(text[0]) && text[0] != '-'
            ? value
            : throw new JsonException($"'{text}' is not a name of {typeof(TEnum).Name}.");
    }

    // Longer names (many flags) are read through a string.
    private const int MaxEnumName = 128;

    /// <summary>
    /// Copies the text of an enum name or key into <paramref name="buffer"/> when it fits (an escaped UTF-8 byte gives at
    /// most one char); returns its length, or -1 for longer text, which the caller reads as a string.
    /// </summary>
    private static int EnumText(ref Utf8JsonReader reader, scoped Span<char> buffer)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        return length <= buffer.Length ? reader.CopyString(buffer) : -1;
    }

    /// <summary>Writes bytes as base64, or null.</summary>
    public static void WriteBytes(Utf8JsonWriter writer, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteBase64StringValue(value);
        }
    }

    /// <summary>Reads base64 bytes, or null.</summary>
    public static byte[]? ReadBytes(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetBytesFromBase64();
}
