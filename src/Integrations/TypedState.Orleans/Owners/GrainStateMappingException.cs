namespace TypedState.Orleans;

/// <summary>
/// A grain's state has no place in the store: its id does not map to a valid owner, or its state type is
/// generated for a scope the grain's owner cannot hold (agent state in a guild grain). Nothing was read or written.
/// </summary>
public sealed class GrainStateMappingException : StateException
{
    /// <summary>Creates the exception for a grain whose id does not map to an owner.</summary>
    public GrainStateMappingException(string grainId, string reason, Exception? innerException)
        : base($"Grain '{grainId}' has no state owner: {reason}.", innerException)
    {
        GrainId = grainId;
    }

    /// <summary>Creates the exception for a grain whose owner cannot hold its state type.</summary>
    public GrainStateMappingException(string grainId, StateOwner owner, string key, string reason)
        : base($"Grain '{grainId}' cannot store its state here: {reason}.", owner, key)
    {
        GrainId = grainId;
    }

    /// <summary>The grain, as Orleans prints its id (<c>type/key</c>).</summary>
    public string GrainId { get; }
}
