using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TypedState.Guilds;
using TypedState.Redis;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Tests.Redis;

/// <summary>The store is prepared before first use when asked, and a service provider disposes the driver synchronously.</summary>
public sealed class RedisStartupTests : IAsyncLifetime
{
    private RedisTestDrivers _drivers = null!;

    public async Task InitializeAsync() => _drivers = await RedisTestDrivers.StartAsync("startup");

    public Task DisposeAsync() => _drivers.DisposeAsync().AsTask();

    [Fact]
    public async Task EnsureCreatedOnStartup_connects_and_writes_the_store_marker_another_client_sees()
    {
        var prefix = _drivers.NewPrefix();
        using var services = new ServiceCollection()
            .AddTypedState(b => b.UseRedis(o =>
            {
                o.Configuration = _drivers.Server.Configuration;
                o.KeyPrefix = prefix;
            }).EnsureCreatedOnStartup())
            .BuildServiceProvider();
        var marker = "{" + prefix + "}:e";
        var other = _drivers.Server.Connection.GetDatabase();
        Assert.False(await other.KeyExistsAsync(marker));

        var hosted = Assert.Single(services.GetServices<IHostedService>());
        await hosted.StartAsync(CancellationToken.None);

        Assert.True(await other.KeyExistsAsync(marker));
        await services.GetRequiredService<StateManager>().EnsureCreatedAsync();
        await hosted.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_service_provider_disposed_synchronously_closes_the_connection_the_driver_opened()
    {
        RedisStateDriver driver;
        using (var services = new ServiceCollection()
            .AddTypedState(b => b.UseRedis(o =>
            {
                o.Configuration = _drivers.Server.Configuration;
                o.KeyPrefix = _drivers.NewPrefix();
            }))
            .BuildServiceProvider())
        {
            var state = services.GetRequiredService<IStateManager>();
            driver = Assert.IsType<RedisStateDriver>(services.GetRequiredService<IStateDriver>());
            _ = services.GetRequiredService<GuildHost>();
            _ = services.GetRequiredService<IGuildTimelines>();
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", "kept");
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => driver.ReadAsync(StateOwner.Agent("g", "a"), "k", CancellationToken.None).AsTask());
    }
}
