using System.Globalization;
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
    /// <c>Configuration</c>, <c>KeyPrefix</c>, <c>ListPageSize</c>, <c>CommitIdRetention</c> (a <see cref="TimeSpan"/>,
    /// e.g. <c>"00:10:00"</c>), <c>RemovalBatchSize</c> and <c>AllowEvictingMemoryPolicy</c> from the <c>Redis</c> sub-section:
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
        options.RemovalBatchSize = ConfigurationValues.GetInt32(section, nameof(RedisStateDriverOptions.RemovalBatchSize)) ?? options.RemovalBatchSize;
        options.CommitIdRetention = GetTimeSpan(section, nameof(RedisStateDriverOptions.CommitIdRetention)) ?? options.CommitIdRetention;
        options.AllowEvictingMemoryPolicy = ConfigurationValues.GetBoolean(section, nameof(RedisStateDriverOptions.AllowEvictingMemoryPolicy)) ?? options.AllowEvictingMemoryPolicy;
    }

    /// <summary>A <see cref="TimeSpan"/> in the invariant "c" form (e.g. <c>00:10:00</c>), or null when absent.</summary>
    private static TimeSpan? GetTimeSpan(IConfiguration section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var path = section is IConfigurationSection named ? ConfigurationPath.Combine(named.Path, key) : key;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"Configuration value '{path}' is '{text}', which is not a time span such as 00:10:00.");
    }
}
