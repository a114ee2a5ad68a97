using Microsoft.Extensions.Diagnostics.HealthChecks;
using TypedState.Health;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task Ping_answers_on_a_fresh_store_and_writes_nothing()
    {
        var state = await CreateManagerAsync();

        await state.Driver.PingAsync(CancellationToken.None);
        await state.Driver.PingAsync(CancellationToken.None);

        Assert.Empty(await ListKeysAsync(state, StateOwner.Global, string.Empty));
        Assert.Empty(await ToListAsync(state.Driver.ListOwnersAsync(Scope.Global, CancellationToken.None)));
        Assert.Equal(1, await state.SetAsync(StateOwner.Global, "k", 1));
        await state.Driver.PingAsync(CancellationToken.None);
        await AssertRecordAsync(state, StateOwner.Global, "k", 1, 1);
    }

    [Fact]
    public async Task Ping_with_a_cancelled_token_throws_OperationCanceledException()
    {
        var state = await CreateManagerAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await state.Driver.PingAsync(cancelled.Token));
    }

    [Fact]
    public async Task The_health_check_reports_a_working_store_healthy_with_its_driver_name()
    {
        var state = await CreateManagerAsync();
        var check = new TypedStateHealthCheck(state.Driver);
        var context = new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("typedstate", check, HealthStatus.Degraded, ["ready"]),
        };

        var result = await check.CheckHealthAsync(context, CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Null(result.Exception);
        Assert.Equal(state.Driver.Name, result.Data["driver"]);
        Assert.Contains(state.Driver.Name, result.Description, StringComparison.Ordinal);
    }
}
