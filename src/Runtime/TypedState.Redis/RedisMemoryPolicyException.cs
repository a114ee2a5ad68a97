namespace TypedState.Redis;

/// <summary>
/// The Redis server may evict keys (its <c>maxmemory-policy</c> is not <c>noeviction</c>), or its policy could not be
/// read, so the driver refused to use it: eviction would drop acknowledged records, their index entries, fencing
/// counters and remembered commit ids independently and silently. Nothing was read or written. Set the server's
/// policy to <c>noeviction</c>, or <see cref="RedisStateDriverOptions.AllowEvictingMemoryPolicy"/> to accept the risk.
/// The state manager reports it as the inner exception of a <see cref="StateDriverException"/>.
/// </summary>
public sealed class RedisMemoryPolicyException : Exception
{
    /// <summary>Creates the exception for a server with <paramref name="maxMemoryPolicy"/> (null when unreadable).</summary>
    public RedisMemoryPolicyException(string? maxMemoryPolicy, string message)
        : base(message)
    {
        MaxMemoryPolicy = maxMemoryPolicy;
    }

    /// <summary>The server's <c>maxmemory-policy</c>, or null when it could not be read.</summary>
    public string? MaxMemoryPolicy { get; }
}
