using Microsoft.Extensions.Diagnostics.HealthChecks;
using TypedState.Health;
using TypedState.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds the store's health check: <c>services.AddHealthChecks().AddTypedState()</c>, beside
/// <c>services.AddTypedState(…)</c>.
/// </summary>
public static class TypedStateHealthChecksBuilderExtensions
{
    /// <summary>The default name of the check.</summary>
    public const string DefaultName = "typedstate";

    /// <summary>
    /// Adds a check that makes one cheap round trip to the store through the registered <see cref="IStateDriver"/>
    /// (a <c>SELECT 1</c> on PostgreSQL, a <c>PING</c> on Redis, a fresh open of the SQLite file).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name; <c>typedstate</c> by default.</param>
    /// <param name="failureStatus">
    /// The status reported when the store does not answer or the check times out; <see cref="HealthStatus.Unhealthy"/>
    /// when null.
    /// </param>
    /// <param name="tags">Tags to filter checks by, e.g. <c>["ready"]</c> for a readiness endpoint.</param>
    /// <param name="timeout">How long the round trip may take before the check fails; no limit when null.</param>
    public static IHealthChecksBuilder AddTypedState(
        this IHealthChecksBuilder builder,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static provider => new TypedStateHealthCheck(provider.GetRequiredService<IStateDriver>()),
            failureStatus,
            tags,
            timeout));
    }
}
