namespace TypedState.Tests.Redis;

/// <summary>The multi-process counters on one Redis server (the shared ephemeral test server), under a fresh key prefix.</summary>
public sealed class RedisMultiProcessCounterTests : MultiProcessCounterTests, IAsyncLifetime
{
    private RedisTestDrivers _drivers = null!;

    public async Task InitializeAsync() => _drivers = await RedisTestDrivers.StartAsync("multiprocess");

    public Task DisposeAsync() => _drivers.DisposeAsync().AsTask();

    protected override Task<string> CreateStoreSpecAsync() => Task.FromResult($"redis|{_drivers.Server.Configuration}|{_drivers.NewPrefix()}");
}
