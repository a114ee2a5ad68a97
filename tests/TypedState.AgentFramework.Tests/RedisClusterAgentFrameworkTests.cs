using TypedState.DependencyInjection;
using TypedState.Redis;

namespace TypedState.AgentFramework.Tests;

/// <summary>
/// The same tests on a three-master Redis Cluster, where one commit holds one root only: checkpoints, their run summary
/// and the agents' sessions and history stay within the run's guild.
/// </summary>
public sealed class RedisClusterAgentFrameworkTests : AgentFrameworkStoreTests
{
    private readonly string _prefix = RedisTestServer.NewKeyPrefix("maf-cluster");
    private RedisTestCluster? _cluster;

    public override async Task InitializeAsync() => _cluster = await RedisTestCluster.GetSharedAsync();

    protected override void UseDriver(TypedStateBuilder builder) => builder.UseRedis(o =>
    {
        o.Configuration = _cluster!.Configuration;
        o.KeyPrefix = _prefix;
    });
}
