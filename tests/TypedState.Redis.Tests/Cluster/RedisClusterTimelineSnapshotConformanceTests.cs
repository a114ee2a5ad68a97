using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// The snapshot conformance suite against the Redis driver on the run's three-master cluster (<see cref="RedisTestCluster"/>),
/// a fresh key prefix per driver. A fork would span two guild roots, so the cluster refuses it: the fork tests check the refusal.
/// </summary>
public sealed class RedisClusterTimelineSnapshotConformanceTests : TimelineSnapshotConformanceTests
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
    protected override ValueTask<IStateDriver> CreateDriverAsync() => ValueTask.FromResult<IStateDriver>(
        new RedisStateDriver(new RedisStateDriverOptions { Connection = _cluster.Connection, KeyPrefix = RedisTestServer.NewKeyPrefix("cluster-snapshots") }));
}
