using Microsoft.Extensions.Logging;

namespace TypedState.Redis;

/// <summary>A <see cref="StateManager"/> over its own <see cref="RedisStateDriver"/>, for use without dependency injection.</summary>
public sealed class RedisStateManager : StateManager
{
    /// <summary>
    /// Connects (on first use) to the Redis server named by <paramref name="configuration"/>, a StackExchange.Redis
    /// configuration string such as <c>127.0.0.1:6379</c>, keeping this application's keys under
    /// <paramref name="keyPrefix"/>.
    /// </summary>
    public RedisStateManager(
        string configuration,
        string keyPrefix = RedisStateDriverOptions.DefaultKeyPrefix,
        StateManagerOptions? options = null,
        ILoggerFactory? loggerFactory = null)
        : this(new RedisStateDriverOptions { Configuration = configuration, KeyPrefix = keyPrefix }, options, loggerFactory)
    {
    }

    /// <summary>Connects with full driver settings.</summary>
    public RedisStateManager(RedisStateDriverOptions driverOptions, StateManagerOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(new RedisStateDriver(driverOptions, loggerFactory), options, loggerFactory, ownsDriver: true)
    {
    }
}
