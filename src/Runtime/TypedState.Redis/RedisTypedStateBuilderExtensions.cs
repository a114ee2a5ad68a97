using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
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

    /// <summary>
    /// Stores state on Redis with the given settings, bound through <see cref="IOptions{TOptions}"/> (so
    /// <c>services.Configure&lt;RedisStateDriverOptions&gt;(…)</c> applies too) and validated when the host starts.
    /// </summary>
    public static TypedStateBuilder UseRedis(this TypedStateBuilder builder, Action<RedisStateDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder.UseDriver<RedisStateDriverOptions>(DriverName, CreateDriver, static (options, services) => options.Validate(services));
    }

    /// <summary>
    /// Stores state through the application's own <see cref="IConnectionMultiplexer"/>, taken from the services by
    /// <paramref name="connection"/> when the driver is built, e.g. the one Aspire's <c>AddRedisClient</c> registers,
    /// so one connection serves the whole application. The driver does not dispose it.
    /// </summary>
    public static TypedStateBuilder UseRedis(
        this TypedStateBuilder builder,
        Func<IServiceProvider, IConnectionMultiplexer> connection,
        Action<RedisStateDriverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return builder.UseRedis(options =>
        {
            configure?.Invoke(options);
            options.ConnectionFactory = connection;
        });
    }

    /// <summary>
    /// Stores state through the <see cref="IConnectionMultiplexer"/> registered in the services (keyed by
    /// <paramref name="serviceKey"/> when given): <c>builder.AddRedisClient("cache")</c> then
    /// <c>b.UseRedisConnection()</c>. The driver does not dispose it.
    /// </summary>
    public static TypedStateBuilder UseRedisConnection(
        this TypedStateBuilder builder,
        object? serviceKey = null,
        Action<RedisStateDriverOptions>? configure = null) =>
        builder.UseRedis(
            services => serviceKey is null ? services.GetRequiredService<IConnectionMultiplexer>() : services.GetRequiredKeyedService<IConnectionMultiplexer>(serviceKey),
            configure);

    /// <summary>
    /// Makes Redis selectable from configuration: with <c>"Driver": "Redis"</c> the driver reads
    /// <c>Configuration</c> (or <c>ConnectionName</c>, naming an entry of <c>ConnectionStrings</c>), <c>KeyPrefix</c>,
    /// <c>ListPageSize</c>, <c>CommitIdRetention</c> (a <see cref="TimeSpan"/>, e.g. <c>"00:10:00"</c>),
    /// <c>RemovalBatchSize</c> and <c>AllowEvictingMemoryPolicy</c> from the <c>Redis</c> sub-section, when the options
    /// are built; any other key is refused:
    /// <code>
    /// "TypedState": { "Driver": "Redis", "Redis": { "Configuration": "127.0.0.1:6379", "KeyPrefix": "my-app" } }
    /// </code>
    /// </summary>
    public static TypedStateBuilder AddRedis(this TypedStateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddDriver(DriverName, static (b, section) => b.UseRedis(options => ConfigurationValues.Bind(section, s => Bind(s, options))));
    }

    private static RedisStateDriver CreateDriver(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<RedisStateDriverOptions>>().Value.Resolve(services),
        services.GetService<ILoggerFactory>());

    private static void Bind(IConfiguration section, RedisStateDriverOptions options)
    {
        options.Configuration = section[nameof(RedisStateDriverOptions.Configuration)] ?? options.Configuration;
        options.ConnectionName = section[nameof(RedisStateDriverOptions.ConnectionName)] ?? options.ConnectionName;
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
