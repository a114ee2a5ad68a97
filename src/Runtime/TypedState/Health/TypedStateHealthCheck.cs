using Microsoft.Extensions.Diagnostics.HealthChecks;
using TypedState.Storage;

namespace TypedState.Health;

/// <summary>
/// Reports whether the store answers: one cheap round trip through the driver (<see cref="IStateDriver.PingAsync"/>),
/// ended by the health check's timeout or cancellation. Registered with
/// <c>services.AddHealthChecks().AddTypedState()</c>.
/// </summary>
public sealed class TypedStateHealthCheck : IHealthCheck
{
    private readonly IStateDriver _driver;

    /// <summary>Creates a check of <paramref name="driver"/>.</summary>
    public TypedStateHealthCheck(IStateDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        _driver = driver;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = new Dictionary<string, object> { ["driver"] = _driver.Name };
        try
        {
            await _driver.PingAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The {_driver.Name} store answered.", data);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The health check service turns its own timeout into the registration's failure status.
            throw;
        }
#pragma warning disable CA1031 // Any failure of the probe is the answer: the store cannot be used.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The {_driver.Name} store did not answer: {ex.Message}", ex, data);
        }
    }
}
