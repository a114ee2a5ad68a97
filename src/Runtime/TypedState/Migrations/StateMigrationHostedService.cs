using Microsoft.Extensions.Hosting;

namespace TypedState;

/// <summary>Runs the <see cref="StateMigrator"/> when the host starts; a failure stops the start-up.</summary>
internal sealed class StateMigrationHostedService(StateMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
