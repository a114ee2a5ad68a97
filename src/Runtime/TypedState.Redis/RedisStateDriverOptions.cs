using StackExchange.Redis;
using TypedState.DependencyInjection;

namespace TypedState.Redis;

/// <summary>Settings of the Redis driver.</summary>
public sealed class RedisStateDriverOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "typedstate";

    /// <summary>The longest <see cref="KeyPrefix"/> accepted.</summary>
    public const int MaxKeyPrefixLength = 64;

    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or
    /// <c>redis.example:6380,password=…,ssl=true</c>. Required unless <see cref="ConnectionName"/> or
    /// <see cref="Connection"/> is set.
    /// The driver connects on first use and sets <c>abortConnect=false</c>, so it keeps reconnecting after a
    /// server restart instead of failing for good.
    /// </summary>
    public string Configuration { get; set; } = string.Empty;

    /// <summary>
    /// The namespace of this application's keys on the server, so several applications can share one server or
    /// database: every key name starts with <c>{KeyPrefix}:</c>. 1 to 64 characters among ASCII letters, digits
    /// and <c>- _ . : /</c>. Default <c>typedstate</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>How many records (or, listing owners, owners) a listing fetches per round trip. Default 256.</summary>
    public int ListPageSize { get; set; } = 256;

    /// <summary>
    /// How long the driver remembers an applied commit id, so that a batch repeated after its answer was lost (see
    /// <see cref="StateManagerOptions.CommitRecoveryTimeout"/>) applies nothing the second time. Default 10 minutes;
    /// between 1 second and 7 days. Keep it well above the manager's recovery timeout. Each remembered commit is one
    /// key on the server with this time to live (about 150 bytes), so memory grows with commits per second × retention.
    /// </summary>
    public TimeSpan CommitIdRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How many records (and tombstones) one step of an owner removal deletes. Each step is one script, so this bounds
    /// how long other clients wait behind a removal (about 1–3 ms per 1000 records). Default 1000; 1 to 100 000.
    /// </summary>
    public int RemovalBatchSize { get; set; } = 1000;

    /// <summary>
    /// Allow a server whose <c>maxmemory-policy</c> may evict keys. By default the driver refuses such a server when it
    /// connects (a <see cref="RedisMemoryPolicyException"/>): an evicting server drops acknowledged records, their index
    /// entries, fencing counters and remembered commit ids independently, silently. Set it only for a server that
    /// never reaches <c>maxmemory</c>, or for state you can afford to lose. Default false.
    /// </summary>
    public bool AllowEvictingMemoryPolicy { get; set; }

    /// <summary>
    /// An existing connection to use instead of <see cref="Configuration"/>. The driver does not dispose a
    /// connection it was given; it owns (and disposes) only one it opened from <see cref="Configuration"/>.
    /// </summary>
    public IConnectionMultiplexer? Connection { get; set; }

    /// <summary>
    /// The name of a connection string in the application's configuration (<c>ConnectionStrings:{name}</c>, where
    /// Aspire's AppHost puts them), read when the driver is built through <c>AddTypedState</c> and used as
    /// <see cref="Configuration"/>.
    /// </summary>
    public string? ConnectionName { get; set; }

    /// <summary>A connection taken from the application's services when the driver is built (UseRedis overloads).</summary>
    internal Func<IServiceProvider, IConnectionMultiplexer>? ConnectionFactory { get; set; }

    /// <summary>
    /// These settings with the connection resolved from <paramref name="services"/>: <see cref="ConnectionName"/>
    /// read from configuration, or the connection taken from the services.
    /// </summary>
    internal RedisStateDriverOptions Resolve(IServiceProvider services)
    {
        Validate(services);
        var resolved = (RedisStateDriverOptions)MemberwiseClone();
        resolved.ConnectionName = null;
        resolved.ConnectionFactory = null;
        if (ConnectionName is { Length: > 0 } name)
        {
            resolved.Configuration = ConfigurationValues.GetConnectionString(services, name);
        }

        if (ConnectionFactory is { } connection)
        {
            resolved.Connection = connection(services) ?? throw new InvalidOperationException("The IConnectionMultiplexer taken from the services is null.");
        }

        return resolved;
    }

    /// <summary>
    /// Checks the settings; a <see cref="ConnectionName"/> must name a configured connection string of
    /// <paramref name="services"/> (a driver built through <c>AddTypedState</c>) and is refused without them.
    /// </summary>
    internal void Validate(IServiceProvider? services = null)
    {
        ValidateSettings();
        ConfigurationValues.CheckConnectionName(services, ConnectionName, nameof(RedisStateDriverOptions));
        if (services is not null && ConnectionName is { Length: > 0 } name)
        {
            _ = ConfigurationOptionsOf(ConfigurationValues.GetConnectionString(services, name), $"ConnectionStrings:{name}");
        }
    }

    private void ValidateSettings()
    {
        var sources = (string.IsNullOrWhiteSpace(Configuration) ? 0 : 1) + (Connection is null ? 0 : 1)
            + (string.IsNullOrWhiteSpace(ConnectionName) ? 0 : 1) + (ConnectionFactory is null ? 0 : 1);
        if (sources == 0)
        {
            throw new ArgumentException(
                "RedisStateDriverOptions.Configuration is required (a StackExchange.Redis configuration string, e.g. \"127.0.0.1:6379\") unless ConnectionName or Connection is set.",
                nameof(Configuration));
        }

        if (sources > 1)
        {
            throw new ArgumentException(
                "Set one of RedisStateDriverOptions.Configuration, ConnectionName and Connection (or a connection from the services), not several.",
                nameof(Connection));
        }

        if (!string.IsNullOrWhiteSpace(Configuration))
        {
            _ = ConfigurationOptionsOf(Configuration, "RedisStateDriverOptions.Configuration");
        }

        if (ListPageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "ListPageSize must be at least 1.");
        }

        if (CommitIdRetention < TimeSpan.FromSeconds(1) || CommitIdRetention > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(CommitIdRetention), CommitIdRetention, "CommitIdRetention must be between 1 second and 7 days.");
        }

        if (RemovalBatchSize is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(RemovalBatchSize), RemovalBatchSize, "RemovalBatchSize must be between 1 and 100000.");
        }

        var prefix = KeyPrefix;
        if (string.IsNullOrEmpty(prefix))
        {
            throw new ArgumentException("RedisStateDriverOptions.KeyPrefix cannot be empty.", nameof(KeyPrefix));
        }

        if (prefix.Length > MaxKeyPrefixLength)
        {
            throw new ArgumentException(
                $"RedisStateDriverOptions.KeyPrefix is {prefix.Length} characters long; the limit is {MaxKeyPrefixLength}.", nameof(KeyPrefix));
        }

        foreach (var c in prefix)
        {
            // The prefix becomes a cluster hash tag, {prefix}, so braces (and anything a pattern or a shell reads
            // specially) are kept out.
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/'))
            {
                throw new ArgumentException(
                    $"RedisStateDriverOptions.KeyPrefix '{prefix}' contains '{c}'; use ASCII letters, digits and - _ . : / only.", nameof(KeyPrefix));
            }
        }
    }

    private static ConfigurationOptions ConfigurationOptionsOf(string configuration, string setting)
    {
        try
        {
            return ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException ex)
        {
            // The caller's mistake is in the options' Configuration (or the connection string it came from).
            var optionName = nameof(Configuration);
            throw new ArgumentException($"{setting} is not a valid StackExchange.Redis configuration string: {ex.Message}", optionName, ex);
        }
    }
}
