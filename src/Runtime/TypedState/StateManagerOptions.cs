using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedState.CompilerServices;

namespace TypedState;

/// <summary>Limits and serializer settings of a <see cref="StateManager"/>.</summary>
public sealed class StateManagerOptions
{
    /// <summary>The default of <see cref="MaxKeyLength"/>; generated state types' keys are checked against it.</summary>
    internal const int DefaultMaxKeyLength = 512;

    /// <summary>The longest key accepted, in UTF-16 code units. Default 512.</summary>
    public int MaxKeyLength { get; set; } = DefaultMaxKeyLength;

    /// <summary>
    /// The largest serialized value accepted, in bytes of UTF-8 JSON. Default 1 MiB. With the default
    /// <see cref="SerializerOptions"/> text counts its UTF-8 bytes: 1 per ASCII character, 2–3 for other characters of
    /// the Basic Multilingual Plane, 4 per emoji.
    /// </summary>
    public int MaxValueBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a commit whose answer was lost (a broken connection, a frozen server) is repeated, under the same
    /// <see cref="Storage.CommitId"/>, to learn whether it was applied before the manager reports
    /// <see cref="StateWriteOutcome.Unknown"/>. Default 30 seconds; <see cref="TimeSpan.Zero"/> reports at once.
    /// Keep it well below the drivers' commit-id retention.
    /// </summary>
    public TimeSpan CommitRecoveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Who this manager's locks are recorded as held by, so that operators listing the store's locks
    /// (<see cref="IStateManager.ListLocksAsync"/>, <c>typedstate locks</c>) see which process holds what. Default
    /// null: the machine name and process id, such as <c>web-3:4120</c>. At most 256 characters, no control characters.
    /// Configuration binds it from <c>TypedState:LockHolder</c> (<c>TYPEDSTATE__LOCKHOLDER</c>).
    /// </summary>
    public string? LockHolder { get; set; }

    /// <summary>The holder recorded with this process's locks when <see cref="LockHolder"/> is not set.</summary>
    internal static string DefaultLockHolder { get; } =
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");

    /// <summary>
    /// Serializer options for calls that pass no <see cref="JsonTypeInfo{T}"/>. Defaults to web defaults with the
    /// reflection resolver when reflection is enabled; trimmed or AOT applications set a source-generated resolver.
    /// </summary>
    /// <remarks>
    /// The defaults also set <see cref="JsonSerializerOptions.AllowOutOfOrderMetadataProperties"/>: a driver may
    /// return a stored document with its properties in another order (PostgreSQL's jsonb sorts them), and
    /// System.Text.Json otherwise requires metadata such as <c>$type</c> of a polymorphic value to come first.
    /// Options of your own, and source-generated contexts
    /// (<c>[JsonSourceGenerationOptions(AllowOutOfOrderMetadataProperties = true)]</c>), need the same setting for
    /// polymorphic or reference-preserving types on such drivers.
    /// <para>
    /// The defaults' encoder keeps non-ASCII text as UTF-8, emoji and other characters outside the Basic Multilingual
    /// Plane included, and escapes what JSON requires (quotes, backslashes, control characters) and unpaired
    /// surrogates (as <c>\uFFFD</c>), like <see cref="System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>
    /// otherwise. Documents are stored, never embedded in HTML. Generated state types write with the same encoder.
    /// Options of your own keep their encoder: System.Text.Json's built-in encoders write each emoji as a 12-byte
    /// escape; to keep the store's, change the default options (for example set their
    /// <see cref="JsonSerializerOptions.TypeInfoResolver"/>) instead of replacing them.
    /// </para>
    /// </remarks>
    public JsonSerializerOptions SerializerOptions { get; set; } = CreateDefaultSerializerOptions();

    internal void Validate()
    {
        if (MaxKeyLength is < 1 or > 8192)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxKeyLength), MaxKeyLength, "MaxKeyLength must be between 1 and 8192.");
        }

        if (MaxValueBytes < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxValueBytes), MaxValueBytes, "MaxValueBytes must be at least 16.");
        }

        if (CommitRecoveryTimeout < TimeSpan.Zero || CommitRecoveryTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(CommitRecoveryTimeout), CommitRecoveryTimeout, "CommitRecoveryTimeout must be between zero and 10 minutes.");
        }

        ArgumentNullException.ThrowIfNull(SerializerOptions, nameof(SerializerOptions));
        if (LockHolder is { } holder && (holder.Length is < 1 or > 256 || holder.Any(char.IsControl)))
        {
            throw new ArgumentException("LockHolder must be 1 to 256 characters without control characters.", nameof(LockHolder));
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The reflection resolver is only used when the application enables reflection-based serialization.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The reflection resolver is only used when the application enables reflection-based serialization.")]
    private static JsonSerializerOptions CreateDefaultSerializerOptions()
    {
        // State is stored, not embedded in HTML: keep non-ASCII text, emoji included, as UTF-8 instead of \uXXXX escapes.
        // Drivers may reorder a document's properties (IStateDriver's contract), so metadata like $type may come
        // anywhere in an object; only types with metadata pay for the buffering this needs.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = StateJsonEncoder.Instance,
            AllowOutOfOrderMetadataProperties = true,
        };
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        }

        return options;
    }
}
