namespace TypedState;

/// <summary>The ways a pessimistic lock fails.</summary>
public enum StateLockFailure
{
    /// <summary>Another holder kept the lock for the whole wait.</summary>
    Timeout,

    /// <summary>The lease expired before it was renewed; another holder may have the lock now.</summary>
    Lost,

    /// <summary>A write carried a fencing token older than a lock granted since; nothing was applied.</summary>
    FencedOut,
}
