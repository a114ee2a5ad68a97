using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// Drivers on the run's shared cluster (<see cref="RedisTestCluster"/>), each under a fresh key prefix, so every driver
/// starts with an empty store; the cluster lives for the run.
/// </summary>
internal static class RedisClusterDrivers
{
    /// <summary>A driver under a new prefix (<paramref name="purpose"/> shows in it), reading at most <paramref name="listPageSize"/> a page when set.</summary>
    public static async ValueTask<IStateDriver> CreateAsync(string purpose, int? listPageSize = null)
    {
        var options = new RedisStateDriverOptions { Connection = (await RedisTestCluster.GetSharedAsync()).Connection, KeyPrefix = RedisTestServer.NewKeyPrefix(purpose) };
        if (listPageSize is { } pageSize)
        {
            options.ListPageSize = pageSize;
        }

        return new RedisStateDriver(options);
    }
}
