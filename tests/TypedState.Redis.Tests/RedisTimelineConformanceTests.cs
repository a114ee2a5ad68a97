using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Redis;

/// <summary>
/// The timeline conformance suite against the Redis driver: the run's shared redis-server and a fresh key prefix per
/// driver, whose keys are deleted when the test ends.
/// </summary>
public sealed class RedisTimelineConformanceTests : TimelineConformanceTests
{
    private RedisTestDrivers _drivers = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _drivers = await RedisTestDrivers.StartAsync("timeline");
    }

    // The suite disposes the drivers it asks for; _drivers deletes their keys.
    protected override ValueTask<IStateDriver> CreateDriverAsync() =>
        ValueTask.FromResult<IStateDriver>(new RedisStateDriver(_drivers.NewOptions()));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _drivers.DisposeAsync();
    }
}
