using System.Diagnostics;
using System.Diagnostics.Metrics;

// Public API: the namespace stays TypedState.Diagnostics (where .NET keeps ActivitySource and Meter) so users'
// `using` lines keep working; the folder is named after the concept, the runtime's observability.
namespace TypedState.Diagnostics;

/// <summary>
/// The <see cref="ActivitySource"/> and <see cref="Meter"/> TypedState reports through, both named
/// <c>TypedState</c>, so OpenTelemetry picks them up with <c>AddSource("TypedState")</c> / <c>AddMeter("TypedState")</c>.
/// </summary>
public static class StateTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "TypedState";

    /// <summary>Spans for state operations (<c>typedstate.get</c>, <c>typedstate.set</c>, <c>typedstate.commit</c> …).</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, typeof(StateTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The meter holding the counters and histograms below.</summary>
    public static Meter Meter { get; } = new(Name, typeof(StateTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Operations performed, tagged with <c>operation</c>, <c>scope</c>, <c>driver</c> and <c>outcome</c>.</summary>
    public static Counter<long> Operations { get; } = Meter.CreateCounter<long>("typedstate.operations", "{operation}", "State operations performed.");

    /// <summary>Optimistic conflicts, tagged with <c>operation</c> and <c>scope</c>.</summary>
    public static Counter<long> Conflicts { get; } = Meter.CreateCounter<long>("typedstate.conflicts", "{conflict}", "Writes refused because the record version differed.");

    /// <summary>Operation duration in seconds, tagged with <c>operation</c> and <c>driver</c>.</summary>
    public static Histogram<double> Duration { get; } = Meter.CreateHistogram<double>("typedstate.operation.duration", "s", "Duration of state operations.");
}
