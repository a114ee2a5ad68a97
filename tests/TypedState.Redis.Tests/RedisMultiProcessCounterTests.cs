
namespace TypedState.Tests.Redis;

/// <summary>The multi-process counters on one Redis server (the shared ephemeral test server).</summary>
public sealed class RedisMultiProcessCounterTests : MultiProcessCounterTests
{
    protected override async Task<string> CreateStoreSpecAsync()
    {
        var server = await RedisTestServer.GetSharedAsync();
        return $"redis|{server.Configuration}|{RedisTestServer.NewKeyPrefix("multiprocess")}";
    }
}
