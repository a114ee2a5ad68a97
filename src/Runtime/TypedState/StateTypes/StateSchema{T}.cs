using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using TypedState.CompilerServices;

namespace TypedState;

/// <summary>
/// The schema of one generated state type: where it is stored, its version, its serializer (as a
/// <see cref="JsonTypeInfo{T}"/> usable with every store API and with <see cref="JsonSerializer"/>) and its chain of
/// migration steps. Generated code creates it through <c>StateSchema.Create</c>.
/// </summary>
/// <typeparam name="T">The state type.</typeparam>
public sealed class StateSchema<T> : StateSchema
    where T : IStateType<T>
{
    // The encoder matches the store's default serializer options: documents are stored, never embedded in HTML.
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web)
    {
        Encoder = StateJsonEncoder.Instance,

        // No reflection: the generated converter is the whole contract.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(),
    };

    private readonly Action<JsonObject>[] _migrations;

    internal StateSchema(Scope scope, string key, int version, Action<JsonObject>[] migrations)
        : base(typeof(T), scope, key, version)
    {
        _migrations = migrations;
        TypeInfo = JsonMetadataServices.CreateValueInfo<T>(s_options, new StateDocumentConverter<T>(this));
        TypeInfo.MakeReadOnly();
    }

    /// <summary>The serializer for stored documents: writes <c>$version</c> first, upgrades older documents as it reads.</summary>
    public JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>Serializes a value as a stored document of the current version.</summary>
    public byte[] Serialize(T value)
    {
        if (value is null)
        {
            // What JsonSerializer writes for a null reference, so that both paths store the same bytes.
            return [.. "null"u8];
        }

        // Straight into the thread's writer: JsonSerializer would add a converter dispatch and a writer rental per call.
        var document = StateDocumentWriter.Rent();
        try
        {
            StateDocumentConverter<T>.WriteDocument(document.Writer, value, Version);
            return document.ToArray();
        }
        finally
        {
            document.Return();
        }
    }

    /// <summary>Reads a stored document, upgrading it in memory when it is older.</summary>
    /// <exception cref="JsonException">The bytes are not a valid document for the type.</exception>
    /// <exception cref="StateSchemaTooNewException">The document is newer than this build.</exception>
    /// <exception cref="StateMigrationException">A migration step failed.</exception>
    public T Deserialize(ReadOnlySpan<byte> document) => JsonSerializer.Deserialize(document, TypeInfo)!;

    /// <inheritdoc />
    public override byte[]? Upgrade(ReadOnlySpan<byte> document)
    {
        // A JSON null is what the store writes for a null value (SetAsync with null): there is nothing to upgrade.
        if (IsNull(document) || ReadVersion(document) == Version)
        {
            return null;
        }

        var node = ParseObject(document, typeof(T).Name);
        var from = VersionOf(node);
        return Serialize(Read(Migrate(node), from));
    }

    private static bool IsNull(ReadOnlySpan<byte> document)
    {
        var reader = new Utf8JsonReader(document);
        return reader.Read() && reader.TokenType == JsonTokenType.Null && !reader.Read();
    }

    /// <summary>Runs the steps from the document's version to <see cref="StateSchema.Version"/>, in place.</summary>
    internal JsonObject Migrate(JsonObject document)
    {
        var from = VersionOf(document);
        if (from > Version)
        {
            throw new StateSchemaTooNewException(typeof(T), from, Version);
        }

        for (var step = from; step < Version; step++)
        {
            try
            {
                _migrations[step - 1](document);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new StateMigrationException(typeof(T), step, step + 1, ex);
            }

            document[VersionPropertyName] = step + 1;
        }

        return document;
    }

    /// <summary>
    /// Reads a document migrated from <paramref name="fromVersion"/>; a result of the wrong shape is reported as the
    /// failure of the steps from that version to the current one (the error cannot tell which step produced it).
    /// </summary>
    internal T Read(JsonObject migrated, int fromVersion)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = s_options.Encoder }))
        {
            migrated.WriteTo(writer);
        }

        try
        {
            var reader = new Utf8JsonReader(buffer.WrittenSpan);
            reader.Read();
            return StateDocumentConverter<T>.ReadCurrent(ref reader, out _);
        }
        catch (JsonException ex)
        {
            throw new StateMigrationException(typeof(T), fromVersion, Version, ex);
        }
    }
}
