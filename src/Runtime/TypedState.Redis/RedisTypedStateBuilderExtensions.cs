using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedState.DependencyInjection;

namespace TypedState.Redis;

/// <summary>Chooses the Redis driver: <c>services.AddTypedState(b => b.UseRedis("127.0.0.1:6379"))</c>.</summary>
public static class RedisTypedStateBuilderExtensions
{
    /// <summary>The name that selects this driver in configuration (<c>"Driver": "Redis"</c>).</summary>
    public const string DriverName = "Redis";

    /// <summary>
    /// Stores state on the Redis server named by <paramref name="configuration"/> (a StackExchange.Redis
    /// configuration string such as <c>127.0.0.1:6379</c>), under the default key prefix.
    /// </summary>
    public static TypedStateBuilder UseRedis(this TypedStateBuilder builder, string configuration) =>
        builder.UseRedis(options => options.Configuration = configuration);

    /// <summary>Stores state on Redis with the given settings.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid.</exception>
    public static TypedStateBuilder UseRedis(this TypedStateBuilder builder, Action<RedisStateDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisStateDriverOptions();
        configure(options);
        options.Validate();
        return builder.UseDriver(DriverName, provider => new RedisStateDriver(options, provider.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Makes Redis selectable from configuration: with <c>"Driver": "Redis"</c> the driver reads
    /// <c>Configuration</c>, <c>KeyPrefix</c> and <c>ListPageSize</c> from the <c>Redis</c> sub-section:
    /// <code>
    /// "TypedState": { "Driver": "Redis", "Redis": { "Configuration": "127.0.0.1:6379", "KeyPrefix": "my-app" } }
    /// </code>
    /// </summary>
    public static TypedStateBuilder AddRedis(this TypedStateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddDriver(DriverName, static (b, section) => b.UseRedis(options => Bind(section, options)));
    }

    private static void Bind(IConfiguration section, RedisStateDriverOptions options)
    {
        options.Configuration = section[nameof(RedisStateDriverOptions.Configuration)] ?? options.Configuration;
        options.KeyPrefix = section[nameof(RedisStateDriverOptions.KeyPrefix)] ?? options.KeyPrefix;
        options.ListPageSize = ConfigurationValues.GetInt32(section, nameof(RedisStateDriverOptions.ListPageSize)) ?? options.ListPageSize;
    }
}
