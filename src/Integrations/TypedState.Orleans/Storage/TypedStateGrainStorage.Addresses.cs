namespace TypedState.Orleans;

public sealed partial class TypedStateGrainStorage
{
    private GrainStateAddress Locate<T>(string stateName, GrainId grainId, GrainStateCodec<T> codec)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var grainType = grainId.Type.ToString()!;
        var rule = _rules.GetValueOrDefault(grainType);
        var owner = rule is null ? _options.DefaultOwner(grainId) : rule.Owner(grainId);
        if (!owner.IsValid)
        {
            throw new GrainStateMappingException(grainId.ToString(), "the owner mapping returned no owner", null);
        }

        if (codec.Schema is { } schema)
        {
            return new GrainStateAddress(OwnerFor(schema, owner, grainId), schema.Key);
        }

        var key = rule is { KeyIncludesGrain: true }
            ? $"{_options.KeyPrefix}{grainType}/{grainId.Key}/{stateName}"
            : _options.KeyPrefix + stateName;
        return new GrainStateAddress(owner, key);
    }

    // A generated state type lives in its own scope, as its accessors see it: an agent grain's [GuildState] is its
    // guild's record, any grain's [GlobalState] the application's. Agent state needs an agent; guild state a guild.
    private static StateOwner OwnerFor(StateSchema schema, StateOwner owner, GrainId grainId) => schema.Scope switch
    {
        Scope.Agent when owner.Scope == Scope.Agent => owner,
        Scope.Guild when owner.Scope != Scope.Global => StateOwner.Guild(owner.GuildIdOrEmpty),
        Scope.Global => StateOwner.Global,
        _ => throw new GrainStateMappingException(grainId.ToString(), owner, schema.Key,
            $"{schema.Type.Name} is {schema.Scope.ToString().ToLowerInvariant()} state, which a grain stored as {owner} cannot hold; map the grain type to {(schema.Scope == Scope.Agent ? "agents" : "agents or guilds")}"),
    };
}
