using TypedState.DependencyInjection;
using TypedState.Redis;

namespace TypedState.AgentFramework.Tests;

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
