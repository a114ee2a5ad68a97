using StackExchange.Redis;

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
    /// <c>redis.example:6380,password=…,ssl=true</c>. Required unless <see cref="Connection"/> is set.
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
    /// An existing connection to use instead of <see cref="Configuration"/>. The driver does not dispose a
    /// connection it was given; it owns (and disposes) only one it opened from <see cref="Configuration"/>.
    /// </summary>
    public IConnectionMultiplexer? Connection { get; set; }

    internal void Validate()
    {
        if (Connection is null)
        {
            if (string.IsNullOrWhiteSpace(Configuration))
            {
                throw new ArgumentException(
                    "RedisStateDriverOptions.Configuration is required (a StackExchange.Redis configuration string, e.g. \"127.0.0.1:6379\") unless Connection is set.",
                    nameof(Configuration));
            }

            try
            {
                ConfigurationOptions.Parse(Configuration);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"RedisStateDriverOptions.Configuration is not a valid StackExchange.Redis configuration string: {ex.Message}", nameof(Configuration), ex);
            }
        }

        if (ListPageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "ListPageSize must be at least 1.");
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
}
