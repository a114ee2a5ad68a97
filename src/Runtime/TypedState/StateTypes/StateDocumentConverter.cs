using System.Text.Json;
using System.Text.Json.Serialization;
using TypedState.CompilerServices;

namespace TypedState;

/// <summary>
/// Adapts a generated serializer to System.Text.Json: writes <c>$version</c> first, then the members; reads the
/// current version in one pass and falls back to parse, migrate and read only for an older (or unreadable) document.
/// </summary>
internal sealed class StateDocumentConverter<T>(StateSchema<T> schema) : JsonConverter<T>, IStateDocumentConverter, IStateDocumentSerializer<T>
    where T : IStateType<T>
{
    private static readonly JsonEncodedText s_versionName = JsonEncodedText.Encode(StateSchema.VersionPropertyName);

    public StateSchema Schema => schema;

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => WriteDocument(writer, value, schema.Version);

    public byte[] Serialize(T value) => schema.Serialize(value);

    /// <summary>Writes <paramref name="value"/> as a document of <paramref name="version"/>: <c>$version</c> first, then the members.</summary>
    internal static void WriteDocument(Utf8JsonWriter writer, T value, int version)
    {
        writer.WriteStartObject();
        writer.WriteNumber(s_versionName, version);
        T.WriteProperties(writer, value);
        writer.WriteEndObject();
    }

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"A stored {typeof(T).Name} must be a JSON object, not {reader.TokenType}.");
        }

        var start = reader;
        JsonException? currentFailure = null;
        try
        {
            var value = ReadCurrent(ref reader, out var version);
            if (version == schema.Version || (version == 0 && schema.Version == 1))
            {
                return value;
            }
        }
        catch (JsonException ex)
        {
            // An older document may not fit the current members; its version decides below.
            currentFailure = ex;
        }

        reader = start;
        var document = StateSchema.ParseObject(ref reader, typeof(T).Name);
        var from = StateSchema.VersionOf(document);
        if (from == schema.Version)
        {
            // Current version, yet unreadable: corrupt, not old.
            throw currentFailure ?? new JsonException($"The stored {typeof(T).Name} could not be read.");
        }

        return schema.Read(schema.Migrate(document), from);
    }

    /// <summary>Runs the generated reader, turning the reader's own errors into <see cref="JsonException"/>.</summary>
    internal static T ReadCurrent(ref Utf8JsonReader reader, out int version)
    {
        // A copy (a struct) to find a bad member's path with, read again only on that error.
        var start = reader;
        try
        {
            return T.Read(ref reader, out version);
        }
        catch (StateMemberException ex)
        {
            throw ex.WithPath(start);
        }
        catch (JsonException ex) when (ex.Path is null && ex.GetType() == typeof(JsonException))
        {
            // A generated reader's own error (a token of the wrong type): located where the reader stopped.
            throw new JsonException(ex.Message, PathAt(start, reader.TokenStartIndex), null, null, ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            throw new JsonException(ex.Message, PathAt(start, reader.TokenStartIndex), null, null, ex);
        }
    }

    /// <summary>The path of the token at <paramref name="offset"/>, or null when the document cannot be read that far.</summary>
    private static string? PathAt(Utf8JsonReader start, long offset)
    {
        try
        {
            return StateJsonPath.At(start, offset, null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed or invalid UTF-8 before the token: the document is corrupt, and has no path to give.
            return null;
        }
    }
}
