using TypedState.Storage;

namespace TypedState.Tests.Redis.Cluster;

/// <summary>
/// The conformance suite against the Redis driver on the run's three-master cluster, a fresh key prefix per driver. A
/// transaction over two roots is refused there, which the suite checks in place of the cross-root commit (see
/// <see cref="StateStoreConformanceTests.TransactionsStayWithinOneRoot"/>).
/// </summary>
public sealed class RedisClusterConformanceTests : StateStoreConformanceTests
{
    /// <inheritdoc />
    protected override bool TransactionsStayWithinOneRoot => true;

    protected override ValueTask<IStateDriver> CreateDriverAsync() => RedisClusterDrivers.CreateAsync("cluster-conformance");

    protected override ValueTask<IStateDriver> CreateDriverAsync(int listPageSize) => RedisClusterDrivers.CreateAsync("cluster-conformance", listPageSize);
}
