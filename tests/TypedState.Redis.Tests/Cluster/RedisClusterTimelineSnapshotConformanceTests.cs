using TypedState.Storage;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// The snapshot conformance suite against the Redis driver on the run's three-master cluster, a fresh key prefix per driver. A fork would
/// span two guild roots, so the cluster refuses it: the fork tests check the refusal.
/// </summary>
public sealed class RedisClusterTimelineSnapshotConformanceTests : TimelineSnapshotConformanceTests
{
    /// <inheritdoc />
    protected override bool TransactionsStayWithinOneRoot => true;

    protected override ValueTask<IStateDriver> CreateDriverAsync() => RedisClusterDrivers.CreateAsync("cluster-snapshots");
}
