using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace TypedState;

/// <summary>
/// What the store knows about a generated state type, whatever its CLR type: scope, key, schema version and how
/// to bring an older stored document up to date. Obtained from <see cref="StateSchema{T}"/> (generated code builds
/// one per state type) and used by the startup migrator.
/// </summary>
public abstract class StateSchema
{
    /// <summary>The property every stored state document carries its schema version in.</summary>
    public const string VersionPropertyName = "$version";

    private protected StateSchema(Type type, Scope scope, string key, int version)
    {
        Type = type;
        Scope = scope;
        Key = key;
        Version = version;
    }

    /// <summary>The state type.</summary>
    public Type Type { get; }

    /// <summary>The scope the type is stored in.</summary>
    public Scope Scope { get; }

    /// <summary>The record key the type is stored under, one record per owner.</summary>
    public string Key { get; }

    /// <summary>The schema version this build writes.</summary>
    public int Version { get; }

    /// <summary>Called by generated code: the schema of a state type with its migration steps (v1→v2 first).</summary>
    /// <exception cref="ArgumentException">The key is invalid, or there is not exactly one step per version after the first.</exception>
    public static StateSchema<T> Create<T>(Scope scope, string key, int version, params Action<JsonObject>[] migrations)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (KeyRules.Describe(key, StateManagerOptions.DefaultMaxKeyLength, allowEmpty: false) is { } problem)
        {
            throw new ArgumentException($"The key of {typeof(T).Name} {problem}.", nameof(key));
        }

        if (migrations.Length != version - 1)
        {
            throw new ArgumentException($"{typeof(T).Name} is at version {version} and needs {version - 1} migration steps, not {migrations.Length}.", nameof(migrations));
        }

        return new StateSchema<T>(scope, key, version, migrations);
    }

    /// <summary>The schema of a generated state type.</summary>
    public static StateSchema<T> Of<T>()
        where T : IStateType<T> => T.Schema;

    /// <summary>
    /// The schema version of a stored document: its top-level <c>$version</c>, or 1 when it has none (a document
    /// written before the type was versioned, or by plain System.Text.Json). The whole document is checked to be
    /// valid JSON, not only the part before <c>$version</c>.
    /// </summary>
    /// <exception cref="JsonException">The bytes are not a JSON object, or <c>$version</c> is not a positive integer.</exception>
    public static int ReadVersion(ReadOnlySpan<byte> document)
    {
        var reader = new Utf8JsonReader(document);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A state document must be a JSON object.");
        }

        int? version = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = version is null && reader.ValueTextEquals(VersionPropertyName);
            reader.Read();
            if (isVersion)
            {
                version = ParseVersion(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        // Reading on throws for a truncated document or anything after it.
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("A state document must be one JSON object.");
        }

        return version ?? 1;
    }

    /// <summary>
    /// Brings a stored document to <see cref="Version"/>: runs the migration steps from its version on, reads the
    /// result as the type (so a step that produces the wrong shape fails here, not later) and writes it back in the
    /// current form. Returns <see langword="null"/> when the document is already current, or is a JSON null (what the
    /// store writes for a null value).
    /// </summary>
    /// <exception cref="JsonException">The document is not valid JSON.</exception>
    /// <exception cref="StateSchemaTooNewException">The document is newer than this build.</exception>
    /// <exception cref="StateMigrationException">A step threw, or its result is not valid for the type.</exception>
    public abstract byte[]? Upgrade(ReadOnlySpan<byte> document);

    private protected static int ParseVersion(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var version) || version < 1)
        {
            throw new JsonException($"The '{VersionPropertyName}' property of a state document must be a positive integer.");
        }

        return version;
    }

    /// <summary>
    /// Parses a stored document as a <see cref="JsonObject"/> for migration, materializing its top level so that a
    /// repeated property name is a <see cref="JsonException"/> (corrupt document) here rather than an
    /// <see cref="ArgumentException"/> wherever the object is first touched.
    /// </summary>
    internal static JsonObject ParseObject(ref Utf8JsonReader reader, string typeName) =>
        Materialize(JsonNode.Parse(ref reader), typeName);

    /// <inheritdoc cref="ParseObject(ref Utf8JsonReader, string)"/>
    internal static JsonObject ParseObject(ReadOnlySpan<byte> document, string typeName) =>
        Materialize(JsonNode.Parse(document), typeName);

    private static JsonObject Materialize(JsonNode? node, string typeName)
    {
        var document = node as JsonObject ?? throw new JsonException($"A stored {typeName} must be a JSON object.");
        try
        {
            _ = document.Count;
        }
        catch (ArgumentException ex)
        {
            throw new JsonException($"A stored {typeName} repeats a property name: {ex.Message}", ex);
        }

        return document;
    }

    /// <summary>
    /// Throws when a stored document was written by a newer build: a save that does not name the version it expects
    /// must not replace such a record (that would downgrade it). JSON null and unreadable documents pass: replacing
    /// them loses nothing this build could read.
    /// </summary>
    internal void EnsureNotNewer(ReadOnlySpan<byte> document, StateOwner owner, string key)
    {
        int stored;
        try
        {
            stored = ReadVersion(document);
        }
        catch (JsonException)
        {
            return;
        }

        if (stored > Version)
        {
            throw new StateSchemaTooNewException(Type, stored, Version, owner, key);
        }
    }

    /// <summary>The schema behind a serializer, when it is a state type's <see cref="StateSchema{T}.TypeInfo"/>.</summary>
    internal static StateSchema? Behind(JsonTypeInfo typeInfo) => (typeInfo.Converter as IStateDocumentConverter)?.Schema;

    internal static int VersionOf(JsonObject document)
    {
        if (!document.TryGetPropertyValue(VersionPropertyName, out var node))
        {
            return 1;
        }

        return node is JsonValue value && value.TryGetValue<int>(out var version) && version >= 1
            ? version
            : throw new JsonException($"The '{VersionPropertyName}' property of a state document must be a positive integer.");
    }
}
