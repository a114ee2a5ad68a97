using System.Text.Json;

namespace TypedState.Orleans;

/// <summary>
/// Options of one TypedState grain storage provider (named like the provider): which store it writes to, and how
/// each grain type's grains map to owners (agents, guilds or the application) so that their state stays reachable
/// from outside the grain through the TypedState API and the <c>typedstate</c> tool.
/// </summary>
/// <remarks>
/// A grain type nothing maps is stored by <see cref="DefaultOwner"/>: as agent <c>key</c> of guild <c>type</c>
/// (<see cref="GrainOwners.ByGrainType"/>). Grain types are Orleans' names (<c>GrainId.Type</c>: by default the class
/// name in lower case without its <c>Grain</c> suffix; <c>[GrainType("…")]</c> sets it), or grain classes, which
/// the storage resolves to their names when it starts.
/// </remarks>
public sealed class TypedStateGrainStorageOptions
{
    /// <summary>The prefix of the record keys of state types that are not generated state types.</summary>
    public const string DefaultKeyPrefix = "orleans/";

    /// <summary>
    /// The store, from the silo's services; <see langword="null"/> (the default): the <see cref="IStateManager"/>
    /// that <c>AddTypedState</c> registered.
    /// </summary>
    public Func<IServiceProvider, IStateManager>? StateManager { get; set; }

    /// <summary>
    /// How state types that are not generated state types are stored (System.Text.Json); <see langword="null"/>
    /// (the default): the store's <see cref="IStateOperations.SerializerOptions"/>. Generated state types
    /// (<c>[AgentState]</c>, <c>[GuildState]</c>, <c>[GlobalState]</c>) always use their generated serializer.
    /// </summary>
    public JsonSerializerOptions? SerializerOptions { get; set; }

    /// <summary>
    /// The prefix of the record key of a state type that is not a generated state type: the key is the prefix and
    /// the grain's state name (<c>orleans/profile</c>). Generated state types are stored under their own key.
    /// </summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The owner of a grain whose type nothing maps; by default <see cref="GrainOwners.ByGrainType"/>.</summary>
    public Func<GrainId, StateOwner> DefaultOwner { get; set; } = GrainOwners.ByGrainType;

    internal Dictionary<string, GrainOwnerRule> RulesByGrainType { get; } = new(StringComparer.Ordinal);

    internal Dictionary<Type, GrainOwnerRule> RulesByGrainClass { get; } = [];

    // Each mapping by name has its twin by grain class; the type argument keeps every call unambiguous.
#pragma warning disable RS0026
    /// <summary>
    /// The grains of <paramref name="grainType"/> are agents: with <paramref name="guildId"/> their key is the agent id,
    /// otherwise it is <c>guild/agent</c> (<see cref="GrainOwners.AgentFromKey"/>).
    /// </summary>
    public TypedStateGrainStorageOptions MapAgents(string grainType, string? guildId = null) =>
        Add(grainType, new GrainOwnerRule(id => GrainOwners.AgentFromKey(id, guildId), KeyIncludesGrain: false));

    /// <summary>The grains of the class <typeparamref name="TGrain"/> are agents (see <see cref="MapAgents(string, string?)"/>).</summary>
    public TypedStateGrainStorageOptions MapAgents<TGrain>(string? guildId = null)
        where TGrain : IGrainBase =>
        Add(typeof(TGrain), new GrainOwnerRule(id => GrainOwners.AgentFromKey(id, guildId), KeyIncludesGrain: false));

#pragma warning restore RS0026

    /// <summary>The grains of <paramref name="grainType"/> are guilds: their key is the guild id.</summary>
    public TypedStateGrainStorageOptions MapGuilds(string grainType) =>
        Add(grainType, new GrainOwnerRule(GrainOwners.GuildFromKey, KeyIncludesGrain: false));

    /// <summary>The grains of the class <typeparamref name="TGrain"/> are guilds: their key is the guild id.</summary>
    public TypedStateGrainStorageOptions MapGuilds<TGrain>()
        where TGrain : IGrainBase =>
        Add(typeof(TGrain), new GrainOwnerRule(GrainOwners.GuildFromKey, KeyIncludesGrain: false));

    /// <summary>
    /// The grains of <paramref name="grainType"/> keep application-wide state: the global owner, each grain under
    /// keys naming it (<c>orleans/type/key/state</c>); a generated <c>[GlobalState]</c> type is the one record of
    /// the application under its own key.
    /// </summary>
    public TypedStateGrainStorageOptions MapGlobal(string grainType) =>
        Add(grainType, new GrainOwnerRule(_ => StateOwner.Global, KeyIncludesGrain: true));

    /// <summary>The grains of the class <typeparamref name="TGrain"/> keep application-wide state (see <see cref="MapGlobal(string)"/>).</summary>
    public TypedStateGrainStorageOptions MapGlobal<TGrain>()
        where TGrain : IGrainBase =>
        Add(typeof(TGrain), new GrainOwnerRule(_ => StateOwner.Global, KeyIncludesGrain: true));

    /// <summary>
    /// The grains of <paramref name="grainType"/> map to owners by <paramref name="owner"/>. Grains given the same owner
    /// share its records: the record key is the state's (<see cref="KeyPrefix"/> and the state name), not the grain's.
    /// </summary>
    public TypedStateGrainStorageOptions Map(string grainType, Func<GrainId, StateOwner> owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return Add(grainType, new GrainOwnerRule(owner, KeyIncludesGrain: false));
    }

    /// <summary>The grains of the class <typeparamref name="TGrain"/> map to owners by <paramref name="owner"/> (see <see cref="Map(string, Func{GrainId, StateOwner})"/>).</summary>
    public TypedStateGrainStorageOptions Map<TGrain>(Func<GrainId, StateOwner> owner)
        where TGrain : IGrainBase
    {
        ArgumentNullException.ThrowIfNull(owner);
        return Add(typeof(TGrain), new GrainOwnerRule(owner, KeyIncludesGrain: false));
    }

    private TypedStateGrainStorageOptions Add(string grainType, GrainOwnerRule rule)
    {
        ArgumentException.ThrowIfNullOrEmpty(grainType);
        RulesByGrainType[grainType] = rule;
        return this;
    }

    private TypedStateGrainStorageOptions Add(Type grainClass, GrainOwnerRule rule)
    {
        RulesByGrainClass[grainClass] = rule;
        return this;
    }
}
