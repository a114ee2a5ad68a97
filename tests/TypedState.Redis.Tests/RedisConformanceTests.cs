using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis;

/// <summary>
/// The conformance suite against the Redis driver: one redis-server for the whole run (see
/// <see cref="RedisTestServer"/>), and a fresh key prefix per driver, so every driver starts with an empty store.
/// </summary>
public sealed class RedisConformanceTests : StateStoreConformanceTests
{
    private RedisTestDrivers _drivers = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _drivers = await RedisTestDrivers.StartAsync("conformance");
    }

    // The suite disposes the drivers it asks for; _drivers deletes their keys.
    protected override ValueTask<IStateDriver> CreateDriverAsync() =>
        ValueTask.FromResult<IStateDriver>(new RedisStateDriver(_drivers.NewOptions()));

    protected override ValueTask<IStateDriver> CreateDriverAsync(int listPageSize) =>
        ValueTask.FromResult<IStateDriver>(new RedisStateDriver(_drivers.NewOptions(listPageSize)));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _drivers.DisposeAsync();
    }
}
