using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// The conformance suite against the Redis driver on the run's three-master cluster (<see cref="RedisTestCluster"/>),
/// a fresh key prefix per driver. A transaction over two guild roots is refused there, which the suite checks in place
/// of the cross-root commit (see <see cref="StateStoreConformanceTests.TransactionsStayWithinOneRoot"/>).
/// </summary>
public sealed class RedisClusterConformanceTests : StateStoreConformanceTests
{
    private RedisTestCluster _cluster = null!;

    /// <inheritdoc />
    protected override bool TransactionsStayWithinOneRoot => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _cluster = await RedisTestCluster.GetSharedAsync();
    }

    // The suite disposes the drivers it asks for; the cluster lives for the run, each driver under its own prefix.
    protected override ValueTask<IStateDriver> CreateDriverAsync() => ValueTask.FromResult<IStateDriver>(new RedisStateDriver(NewOptions()));

    protected override ValueTask<IStateDriver> CreateDriverAsync(int listPageSize)
    {
        var options = NewOptions();
        options.ListPageSize = listPageSize;
        return ValueTask.FromResult<IStateDriver>(new RedisStateDriver(options));
    }

    private RedisStateDriverOptions NewOptions() =>
        new() { Connection = _cluster.Connection, KeyPrefix = RedisTestServer.NewKeyPrefix("cluster-conformance") };
}
