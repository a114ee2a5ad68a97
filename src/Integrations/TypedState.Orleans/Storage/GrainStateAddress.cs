namespace TypedState.Orleans;

/// <summary>Where one state of one grain is stored: the record's owner and key, as the TypedState API addresses it.</summary>
/// <param name="Owner">The record's owner: an agent, a guild or the application.</param>
/// <param name="Key">The record's key.</param>
public readonly record struct GrainStateAddress(StateOwner Owner, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Owner} {Key}";
}
