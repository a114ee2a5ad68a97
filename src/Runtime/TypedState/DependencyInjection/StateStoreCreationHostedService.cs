using Microsoft.Extensions.Hosting;

namespace TypedState.DependencyInjection;

/// <summary>Creates the store's storage when the host starts (<see cref="TypedStateBuilder.EnsureCreatedOnStartup"/>); a failure stops the start-up.</summary>
internal sealed class StateStoreCreationHostedService(StateManager manager) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => manager.EnsureCreatedAsync(cancellationToken).AsTask();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
