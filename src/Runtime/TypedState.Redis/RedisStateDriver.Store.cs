using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace TypedState.Redis;

// The store marker: before the first operation on a connection, the server's memory policy is checked and the
// marker (layout version, epoch) prepared; a commit that finds the epoch changed moves the driver to the new one.
public sealed partial class RedisStateDriver
{
    // Per root, the epoch this driver saw, replaced only when a commit finds the server lost the root's data, and the
    // highest commit sequence its commits returned in that epoch (the server's may never be lower).
    private readonly RedisRootEpochs _rootEpochs = new();

    // Whether the server is a Redis Cluster: a batch may then touch one root only.
    private volatile bool _cluster;

    /// <inheritdoc />
    /// <remarks>
    /// False on a Redis Cluster, where global state and each guild (with its agents) hash to slots of their own and a
    /// batch over two of them is refused with <see cref="CrossSlotTransactionException"/>. Known once the driver has
    /// connected (after its first operation); true before.
    /// </remarks>
    public bool CommitsSpanRoots => !_cluster;

    /// <summary>
    /// Checks the server's <c>maxmemory-policy</c> (unless allowed to evict) and, the first time, prepares the store
    /// marker and learns the epoch. Throws <see cref="RedisMemoryPolicyException"/> before anything is written when the
    /// server may evict keys, and a <see cref="StateException"/> when the store's layout is newer than the driver's.
    /// </summary>
    private async Task PrepareAsync(IConnectionMultiplexer connection)
    {
        var database = connection.GetDatabase();
        _cluster = connection.GetServers().Any(static server => server.ServerType == ServerType.Cluster);
        var allowEvicting = _allowEvictingMemoryPolicy;
        var first = _rootEpochs.Of(_keys.Root).Epoch is null;
        while (true)
        {
            var reply = (RedisResult[])(await RedisScriptCalls.RunAsync(
                database,
                RedisScripts.Prepare,
                _storeKeys,
                [allowEvicting ? 1 : 0, first ? 1 : 0, NewEpochId(), RedisStorageLayout.Version]).ConfigureAwait(false))!;
            switch ((long)reply[0])
            {
                case 0:
                    if (first)
                    {
                        var stored = (long)reply[3];
                        if (stored < RedisStorageLayout.Version)
                        {
                            await new RedisLayoutUpgrade(_keys, connection).RunAsync().ConfigureAwait(false);
                            await database.HashSetAsync(_keys.Store, "layout", RedisStorageLayout.Version).ConfigureAwait(false);
                        }

                        LogStorePrepared(KeyPrefix, stored, RedisStorageLayout.Version);
                        _rootEpochs.Adopt(_keys.Root, null, (string)reply[2]!);
                    }

                    return;
                case 1:
                    throw EvictingPolicy((string)reply[1]!);
                case 2:
                    // INFO was refused (an ACL) or lacks the field: CONFIG GET, where the connection may use it.
                    var policy = await ConfigGetPolicyAsync(connection).ConfigureAwait(false);
                    if (policy != "noeviction")
                    {
                        throw policy is null
                            ? new RedisMemoryPolicyException(null, $"The Redis driver could not read the server's maxmemory-policy ({(string?)reply[1]}; CONFIG GET is not available either), so it cannot tell whether the server may evict keys. Allow INFO for the driver's user, or set RedisStateDriverOptions.{nameof(RedisStateDriverOptions.AllowEvictingMemoryPolicy)} = true if the server never evicts.")
                            : EvictingPolicy(policy);
                    }

                    allowEvicting = true;
                    break;
                case 3:
                    throw new StateException(
                        $"The Redis store of key prefix '{KeyPrefix}' has TypedState storage layout version {(long)reply[3]}, newer than this driver understands " +
                        $"({RedisStorageLayout.Version}). Upgrade TypedState.Redis; the store was left unchanged.");
                default:
                    throw new InvalidOperationException($"The Redis prepare script returned the unknown status {(long)reply[0]}.");
            }
        }
    }

    private static RedisMemoryPolicyException EvictingPolicy(string policy) => new(
        policy,
        $"The Redis server's maxmemory-policy is '{policy}', which may evict keys: acknowledged records, their index entries, fencing counters " +
        $"and remembered commit ids would disappear independently and silently. Nothing was read or written. Set maxmemory-policy to " +
        $"'noeviction', or RedisStateDriverOptions.{nameof(RedisStateDriverOptions.AllowEvictingMemoryPolicy)} = true to accept the risk.");

    /// <summary>The policy from <c>CONFIG GET</c> on the first primary, or null when the connection cannot run it.</summary>
    private static async Task<string?> ConfigGetPolicyAsync(IConnectionMultiplexer connection)
    {
        foreach (var server in connection.GetServers())
        {
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            try
            {
                var pairs = await server.ConfigGetAsync("maxmemory-policy").ConfigureAwait(false);
                return pairs.Length == 1 ? pairs[0].Value : null;
            }
            catch (Exception ex) when (ex is RedisException or NotSupportedException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Moves this driver to a root's current epoch after a commit found the one it knew gone.</summary>
    private async ValueTask AdoptEpochAsync(IDatabase database, RedisOwnerKeys root, string? seen)
    {
        var current = (string)(await RedisScriptCalls.RunAsync(database, RedisScripts.AdoptEpoch, [root.Marker], [seen ?? string.Empty, NewEpochId()])
            .ConfigureAwait(false))!;
        if (_rootEpochs.Adopt(root.Root, seen, current))
        {
            LogDataLoss(KeyPrefix);
        }
    }

    private static string NewEpochId() => Guid.NewGuid().ToString("N");

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Redis store of key prefix '{KeyPrefix}' found at storage layout version {Stored} (0: new or version 1) and prepared for version {Version}")]
    private partial void LogStorePrepared(string keyPrefix, long stored, int version);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "The Redis server lost the data of key prefix '{KeyPrefix}' since this driver connected; the commit that found it applied nothing, and versions now start above every earlier one")]
    private partial void LogDataLoss(string keyPrefix);
}
