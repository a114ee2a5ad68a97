namespace TypedState.Redis;

/// <summary>
/// The Redis server lost data since this driver first saw the store: the store's marker is gone or was replaced (a
/// restart without persistence, a failover to a replica that lacked it, a flush). The commit that found it applied
/// nothing. The driver has moved to a new epoch whose versions start above every version handed out before, so
/// versions read before the loss no longer match; read the records again before writing them. The state manager
/// reports it as the inner exception of a <see cref="StateDriverException"/> whose outcome is
/// <see cref="StateWriteOutcome.NotApplied"/>.
/// </summary>
public sealed class RedisDataLossException : Exception
{
    /// <summary>Creates the exception naming the store's key prefix.</summary>
    public RedisDataLossException(string keyPrefix)
        : base(
            $"The Redis server lost the data of key prefix '{keyPrefix}' since this driver connected (a restart without persistence, a " +
            "failover to a replica that lacked it, or a flush). Nothing of this commit was applied. Versions read before the loss no " +
            "longer match; read the records again before writing them.")
    {
        KeyPrefix = keyPrefix;
    }

    /// <summary>The key prefix whose data was lost.</summary>
    public string KeyPrefix { get; }
}
