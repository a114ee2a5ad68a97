using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TypedState.Redis;

namespace TypedState.Tests.Hosting;

/// <summary>The health check over a Redis server that goes away: the failure status, within the check's timeout.</summary>
public sealed class RedisHealthCheckTests
{
    [Fact]
    public async Task A_killed_server_reports_the_failure_status_within_the_timeout()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTypedState(b => b.UseRedis(server.Configuration));
        services.AddHealthChecks().AddTypedState(failureStatus: HealthStatus.Degraded, tags: ["ready"], timeout: TimeSpan.FromSeconds(10));
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, before.Entries["typedstate"].Status);
        Assert.Equal(["ready"], before.Entries["typedstate"].Tags);

        await server.KillAsync();
        var after = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, after.Entries["typedstate"].Status);
        Assert.True(after.Entries["typedstate"].Duration < TimeSpan.FromSeconds(30), $"The check took {after.Entries["typedstate"].Duration}.");
    }
}
