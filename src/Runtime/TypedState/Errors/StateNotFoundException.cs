namespace TypedState;

/// <summary>A record that had to exist was absent.</summary>
public sealed class StateNotFoundException : StateException
{
    /// <summary>Creates the exception.</summary>
    public StateNotFoundException(StateOwner owner, string key)
        : base("No record with this key exists.", owner, key)
    {
    }
}
