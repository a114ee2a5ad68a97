using StackExchange.Redis;

namespace TypedState.Redis;

/// <summary>
/// Runs the driver's scripts, and runs one again when a Redis Cluster refused it while its slot moves between nodes
/// (<c>TRYAGAIN</c>, <c>CLUSTERDOWN</c> while a failover elects a replica, or a script that touched a name already
/// migrated: "Script attempted to access a non local key"). Such a refusal comes before the script writes: once a
/// slot is migrating no script can create a name on the old node, and every script reads a name of its guild before
/// its first write (see docs/drivers.md). StackExchange.Redis itself follows <c>MOVED</c> and <c>ASK</c>. After
/// <see cref="MaxAttempts"/> the refusal surfaces as it is.
/// </summary>
internal static class RedisScriptCalls
{
    /// <summary>How often a script is sent while its slot is in motion (about ten seconds in all).</summary>
    public const int MaxAttempts = 120;

    public static async Task<RedisResult> RunAsync(IDatabase database, string script, RedisKey[] keys, RedisValue[] args)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await database.ScriptEvaluateAsync(script, keys, args).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (attempt < MaxAttempts && InMotion(ex.Message))
            {
                // A back-off, not a wait for an event: the cluster announces nothing when the slot settles.
                await Task.Delay(Math.Min(attempt * 10, 100)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether a refusal says the script's slot is moving or being failed over.</summary>
    public static bool InMotion(string message) =>
        message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
        || message.Contains("non local key", StringComparison.Ordinal);
}
