using TypedState.DependencyInjection;
using TypedState.InMemory;
using TypedState.Redis;
using TypedState.Sqlite;

namespace TypedState.AgentFramework.Tests;

public sealed class InMemoryAgentFrameworkTests : AgentFrameworkStoreTests, IDisposable
{
    // One driver for every "process" of a test: it is the store that outlives them.
    private readonly InMemoryStateDriver _driver = new();

    protected override void UseDriver(TypedStateBuilder builder) => builder.UseDriver("InMemory", _ => _driver);

    public void Dispose() => _driver.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

public sealed class SqliteAgentFrameworkTests : AgentFrameworkStoreTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override void UseDriver(TypedStateBuilder builder) => builder.UseSqlite(_directory.ConnectionString());

    public void Dispose() => _directory.Dispose();
}

public sealed class RedisAgentFrameworkTests : AgentFrameworkStoreTests
{
    private readonly string _prefix = RedisTestServer.NewKeyPrefix("maf");
    private RedisTestServer? _server;

    public override async Task InitializeAsync() => _server = await RedisTestServer.GetSharedAsync();

    protected override void UseDriver(TypedStateBuilder builder) => builder.UseRedis(o =>
    {
        o.Configuration = _server!.Configuration;
        o.KeyPrefix = _prefix;
    });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _server!.DeletePrefixesAsync([_prefix]);
    }
}

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
