using System.Diagnostics;
using System.Diagnostics.Metrics;
using TypedState.Observability;

// Public API: the namespace stays TypedState.Diagnostics (where .NET keeps ActivitySource and Meter) so users'
// `using` lines keep working; the folder is named after the concept, the runtime's observability.
namespace TypedState.Diagnostics;

/// <summary>
/// The <see cref="ActivitySource"/> and <see cref="Meter"/> TypedState reports through, both named
/// <c>TypedState</c>, so OpenTelemetry picks them up with <c>AddSource("TypedState")</c> / <c>AddMeter("TypedState")</c>.
/// Names, units and attributes follow OpenTelemetry's semantic conventions for database clients; docs/telemetry.md
/// lists every span, instrument and attribute.
/// </summary>
public static class StateTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "TypedState";

    /// <summary>
    /// Spans for state operations. Their operation name is <c>typedstate.{operation}</c> (<c>typedstate.get</c>,
    /// <c>typedstate.set</c>, <c>typedstate.commit</c> …); their display name, the span name exporters show, is
    /// <c>{db.operation.name} {db.collection.name}</c> such as <c>get Agent</c>, as the conventions ask.
    /// </summary>
    public static ActivitySource ActivitySource { get; } = new(Name, typeof(StateTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The meter holding the counters and histograms below.</summary>
    public static Meter Meter { get; } = new(Name, typeof(StateTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Operations performed, with the same attributes as <see cref="Duration"/>.</summary>
    public static Counter<long> Operations { get; } = Meter.CreateCounter<long>("typedstate.operations", "{operation}", "State operations performed.");

    /// <summary>Optimistic conflicts, with the same attributes as <see cref="Duration"/>.</summary>
    public static Counter<long> Conflicts { get; } = Meter.CreateCounter<long>("typedstate.conflicts", "{conflict}", "Writes refused because the record version differed.");

    /// <summary>
    /// <c>db.client.operation.duration</c>: the duration of each call to the store, in seconds, with the
    /// conventions' bucket advice (1 ms to 10 s) so that OpenTelemetry does not use its default 0–10000 buckets. Tagged
    /// with <c>db.system.name</c>, <c>db.operation.name</c>, <c>db.collection.name</c> and <c>typedstate.scope</c>
    /// (when the operation has one scope) and <c>error.type</c> (when it failed).
    /// </summary>
    public static Histogram<double> Duration { get; } = Meter.CreateHistogram(
        "db.client.operation.duration",
        "s",
        "Duration of TypedState operations: one call to the store each.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetryTags.DurationBuckets });
}
