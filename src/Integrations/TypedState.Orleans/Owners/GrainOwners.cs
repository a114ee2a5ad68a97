namespace TypedState.Orleans;

/// <summary>
/// The ready-made mappings from a grain's id to the <see cref="StateOwner"/> its state is stored under, as
/// <see cref="TypedStateGrainStorageOptions"/> uses them. The grain key is taken as Orleans prints it
/// (<c>GrainId.Key</c>): a string key as it is, an integer key in hexadecimal (42 is <c>2A</c>), a Guid key in
/// the <c>N</c> format, a compound key as <c>key+extension</c>.
/// </summary>
public static class GrainOwners
{
    /// <summary>
    /// The mapping of grain types nothing else maps: each grain is an agent whose guild is the grain type, so grain
    /// <c>counter/42</c> stores under agent <c>42</c> of guild <c>counter</c>, and removing guild <c>counter</c>
    /// removes the state of every grain of the type.
    /// </summary>
    public static StateOwner ByGrainType(GrainId grainId) =>
        Create(grainId, () => StateOwner.Agent(grainId.Type.ToString(), grainId.Key.ToString()));

    /// <summary>
    /// An agent grain: with <paramref name="guildId"/> the grain key is the agent id; without, the key is
    /// <c>guild/agent</c>, split at its first <c>/</c> (so a guild id cannot contain one).
    /// </summary>
    /// <exception cref="GrainStateMappingException">The key has no <c>/</c> (without a guild), or an id is not valid.</exception>
    public static StateOwner AgentFromKey(GrainId grainId, string? guildId = null)
    {
        var key = grainId.Key.ToString();
        if (guildId is not null)
        {
            return Create(grainId, () => StateOwner.Agent(guildId, key));
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw new GrainStateMappingException(grainId.ToString(), "its key is an agent of no guild: an agent grain's key is 'guild/agent' unless the mapping names the guild", null);
        }

        return Create(grainId, () => StateOwner.Agent(key[..slash], key[(slash + 1)..]));
    }

    /// <summary>A guild grain: the grain key is the guild id.</summary>
    /// <exception cref="GrainStateMappingException">The key is not a valid guild id.</exception>
    public static StateOwner GuildFromKey(GrainId grainId) =>
        Create(grainId, () => StateOwner.Guild(grainId.Key.ToString()));

    // Owner ids refuse control characters and overlong values: say which grain could not be mapped, and why.
    private static StateOwner Create(GrainId grainId, Func<StateOwner> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException ex)
        {
            throw new GrainStateMappingException(grainId.ToString(), ex.Message, ex);
        }
    }
}
