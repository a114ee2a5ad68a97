using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TypedState.Guilds;
using TypedState.InMemory;
using TypedState.Storage;
using TypedState.Tests.Observability;
using TypedState.Timeline;

namespace TypedState.Tests.DependencyInjection;

/// <summary><c>using var services = …BuildServiceProvider()</c>: every TypedState singleton disposes synchronously.</summary>
public sealed class SynchronousDisposalTests
{
    [Fact]
    public async Task A_service_provider_disposed_synchronously_disposes_every_TypedState_singleton()
    {
        StateManager manager;
        using (var services = new ServiceCollection().AddTypedState(b => b.UseInMemory()).BuildServiceProvider())
        {
            manager = services.GetRequiredService<StateManager>();
            Assert.IsType<InMemoryStateDriver>(services.GetRequiredService<IStateDriver>());
            Assert.Same(manager, services.GetRequiredService<IStateManager>());
            var host = services.GetRequiredService<GuildHost>();
            _ = services.GetRequiredService<IGuildTimelines>();
            _ = services.GetRequiredService<StateMigrator>();
            _ = services.GetRequiredService<StateQuarantine>();
            await manager.SetAsync(StateOwner.Agent("g", "a"), "k", 1);
            _ = host.StartGuild("g");
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => manager.BeginTransactionAsync().AsTask());
    }

    [Fact]
    public async Task EnsureCreatedOnStartup_runs_on_the_generic_host_before_the_startup_migration()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddTypedState(b => b.UseInMemory().EnsureCreatedOnStartup().MigrateOnStartup());
        using var host = builder.Build();

        await host.StartAsync();

        var hosted = host.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        Assert.True(hosted.IndexOf("StateStoreCreationHostedService") >= 0, string.Join(", ", hosted));
        Assert.True(hosted.IndexOf("StateStoreCreationHostedService") < hosted.IndexOf("StateMigrationHostedService"), string.Join(", ", hosted));
        await host.StopAsync();
    }

    [Fact]
    public void A_manager_that_does_not_own_its_driver_leaves_it_open_when_disposed_synchronously()
    {
        var driver = new NamedDriver("only-async");
        using (new StateManager(driver))
        {
        }

        Assert.Equal(0, driver.Disposals);
        using (new StateManager(driver, ownsDriver: true))
        {
        }

        Assert.Equal(1, driver.Disposals);
    }
}
