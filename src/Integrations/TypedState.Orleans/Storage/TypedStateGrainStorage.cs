using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Orleans.Metadata;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace TypedState.Orleans;

/// <summary>
/// Orleans grain storage over a TypedState store: each state of a grain is one record of the owner its grain maps to
/// (<see cref="TypedStateGrainStorageOptions"/>), written with the record version as the ETag, so a write or clear
/// from a stale activation is refused with an <see cref="InconsistentStateException"/> and changes nothing.
/// Registered with <c>AddTypedStateGrainStorage(name, …)</c>.
/// </summary>
/// <remarks>
/// A grain state of a generated state type (<c>[AgentState]</c>, <c>[GuildState]</c>, <c>[GlobalState]</c>) is that
/// type's record, read and written as the type's own accessors do it: older documents are upgraded by its migrations
/// as they are read, and the generated accessors, the store API and the <c>typedstate</c> tool see the same record.
/// Any other type is stored as JSON (System.Text.Json with <see cref="TypedStateGrainStorageOptions.SerializerOptions"/>)
/// under <see cref="TypedStateGrainStorageOptions.KeyPrefix"/> and the state name.
/// </remarks>
public sealed partial class TypedStateGrainStorage : IGrainStorage
{
    private readonly TypedStateGrainStorageOptions _options;
    private readonly IStateManager _store;
    private readonly JsonSerializerOptions _serializerOptions;
    private readonly IActivatorProvider? _activators;
    private readonly Dictionary<string, GrainOwnerRule> _rules;
    private readonly ConcurrentDictionary<Type, object> _codecs = new();

    /// <summary>Creates the storage (the silo builder's <c>AddTypedStateGrainStorage</c> does).</summary>
    /// <param name="name">The provider's name, as grains name their storage.</param>
    /// <param name="options">The provider's options.</param>
    /// <param name="store">The store the records are kept in.</param>
    /// <param name="grainTypes">Resolves the grain classes the options map to grain type names; needed only when they map classes.</param>
    /// <param name="activators">Creates the default state of a grain with no record (Orleans' activators); without it, the type's parameterless constructor.</param>
    public TypedStateGrainStorage(string name, TypedStateGrainStorageOptions options, IStateManager store, GrainTypeResolver? grainTypes = null, IActivatorProvider? activators = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        Name = name;
        _options = options;
        _store = store;
        _serializerOptions = options.SerializerOptions ?? store.SerializerOptions;
        _activators = activators;
        _rules = new Dictionary<string, GrainOwnerRule>(options.RulesByGrainType, StringComparer.Ordinal);
        foreach (var (grainClass, rule) in options.RulesByGrainClass)
        {
            if (grainTypes is null)
            {
                throw new InvalidOperationException($"The TypedState grain storage '{name}' maps the grain class {grainClass.Name}, but no GrainTypeResolver was given to find its grain type.");
            }

            _rules[grainTypes.GetGrainType(grainClass).ToString()!] = rule;
        }
    }

    /// <summary>The provider's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var codec = CodecOf<T>();
        var address = Locate(stateName, grainId, codec);
        var entry = await _store.GetAsync(address.Owner, address.Key, codec.TypeInfo, cancellationToken).ConfigureAwait(false);

        // A record holding JSON null (a null state written) exists, with its version, but holds no state: as
        // Orleans' own providers, the grain gets a fresh state and the record's ETag.
        var hasState = entry.Exists && entry.Value is not null;
        grainState.State = hasState ? entry.Value! : codec.CreateDefault();
        grainState.ETag = entry.Exists ? ETagOf(entry.Version) : null;
        grainState.RecordExists = hasState;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        ChangeAsync("write", stateName, grainId, grainState, async (codec, address, expected) =>
        {
            var version = await _store.SetAsync<T>(address.Owner, address.Key, grainState.State!, codec.TypeInfo, expected, cancellationToken).ConfigureAwait(false);
            grainState.ETag = ETagOf(version);
            grainState.RecordExists = true;
        });

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        ChangeAsync("clear", stateName, grainId, grainState, async (codec, address, expected) =>
        {
            // The record is deleted, not emptied: afterwards the TypedState API finds nothing, and the store's
            // tombstone keeps the version going, so an ETag read before the clear never matches a later record.
            await _store.DeleteAsync(address.Owner, address.Key, expected, cancellationToken).ConfigureAwait(false);
            grainState.State = codec.CreateDefault();
            grainState.ETag = null;
            grainState.RecordExists = false;
        });

    /// <summary>
    /// Where the state <paramref name="stateName"/> of type <typeparamref name="T"/> of the grain
    /// <paramref name="grainId"/> is stored: the owner and key to read it with through the TypedState API or the tool.
    /// </summary>
    /// <exception cref="GrainStateMappingException">The grain has no owner, or its owner cannot hold a generated state type of another scope.</exception>
    public GrainStateAddress Locate<T>(string stateName, GrainId grainId) => Locate(stateName, grainId, CodecOf<T>());

    // A write or clear expects the version the grain's ETag names; a conflict becomes Orleans' own exception.
    private async Task ChangeAsync<T>(string operation, string stateName, GrainId grainId, IGrainState<T> grainState, Func<GrainStateCodec<T>, GrainStateAddress, long, Task> change)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var codec = CodecOf<T>();
        var address = Locate(stateName, grainId, codec);
        var expected = ExpectedVersion(grainState.ETag, address);
        try
        {
            await change(codec, address, expected).ConfigureAwait(false);
        }
        catch (StateConflictException ex)
        {
            throw Inconsistent(operation, grainState.ETag, address, ex);
        }
    }

    private GrainStateCodec<T> CodecOf<T>() =>
        (GrainStateCodec<T>)_codecs.GetOrAdd(typeof(T), static (_, storage) => GrainStateCodec<T>.Create(storage._serializerOptions, storage._activators), this);

    private static string ETagOf(long version) => version.ToString(CultureInfo.InvariantCulture);

    // No ETag: the grain saw no record, so the write must find none. An ETag that is no version of this store (another
    // provider's) can match nothing; it is refused like any stale ETag.
    private static long ExpectedVersion(string? etag, GrainStateAddress address)
    {
        if (etag is null)
        {
            return 0;
        }

        return long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw new InconsistentStateException($"The ETag '{etag}' is not a record version of the TypedState store at {address}: nothing was written.", storedEtag: null, currentEtag: etag);
    }

    private static InconsistentStateException Inconsistent(string operation, string? etag, GrainStateAddress address, StateConflictException conflict)
    {
        var stored = conflict.ActualVersion > 0 ? ETagOf(conflict.ActualVersion) : null;
        var found = stored is null ? "no record" : $"version {stored}";
        var expected = etag is null ? "no record" : $"version {etag}";
        return new InconsistentStateException(
            $"The grain state's {operation} at {address} expected {expected} but found {found}: another activation or writer changed it. Nothing was {(operation == "write" ? "written" : "cleared")}.",
            stored,
            etag,
            conflict);
    }
}
