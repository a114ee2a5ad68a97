using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// The conformance suite against the Redis driver on a three-master Redis Cluster (see <see cref="RedisTestCluster"/>),
/// a fresh key prefix per driver.
/// </summary>
public sealed class RedisClusterConformanceTests : StateStoreConformanceTests
{
    private RedisTestCluster _cluster = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _cluster = await RedisTestCluster.GetSharedAsync();
    }

    protected override ValueTask<IStateDriver> CreateDriverAsync() => CreateDriverAsync(256);

    protected override ValueTask<IStateDriver> CreateDriverAsync(int listPageSize) =>
        ValueTask.FromResult<IStateDriver>(new RedisStateDriver(new RedisStateDriverOptions
        {
            Connection = _cluster.Connection,
            KeyPrefix = RedisTestServer.NewKeyPrefix("cluster"),
            ListPageSize = listPageSize,
        }));
}
