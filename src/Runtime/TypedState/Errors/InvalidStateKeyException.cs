namespace TypedState;

/// <summary>A key or prefix was rejected before reaching storage: empty, too long, or containing control characters.</summary>
public sealed class InvalidStateKeyException : StateException
{
    /// <summary>Creates the exception.</summary>
    public InvalidStateKeyException(StateOwner owner, string key, string reason)
        : base($"Invalid key: {reason}.", owner, key)
    {
        Reason = reason;
    }

    /// <summary>Why the key was rejected.</summary>
    public string Reason { get; }
}
