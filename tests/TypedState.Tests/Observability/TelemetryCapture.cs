using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using TypedState.Diagnostics;

namespace TypedState.Tests.Observability;

/// <summary>
/// Listens to the "TypedState" source and meter the way OpenTelemetry does, and keeps what one test reported:
/// listeners are process-wide and tests run in parallel, so spans are kept when they belong to the trace of the
/// test's own root span and measurements when <c>db.system.name</c> is the test's unique driver name.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;

    public TelemetryCapture(string driverName)
    {
        DriverName = driverName;

        // Started directly (no source): it needs no listener, and every span the test causes descends from it.
        Root = new Activity("telemetry test").Start();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StateTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == StateTelemetry.Name && activity.TraceId == Root.TraceId)
                {
                    Spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activities);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StateTelemetry.Name)
                {
                    Instruments[instrument.Name] = instrument;
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    public string DriverName { get; }

    /// <summary>The test's TypedState spans, as they stopped.</summary>
    public ConcurrentQueue<Activity> Spans { get; } = new();

    /// <summary>The test's measurements: instrument name, value and tags.</summary>
    public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    /// <summary>Every instrument of the TypedState meter, by name.</summary>
    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new();

    /// <summary>The root span every span of the test descends from.</summary>
    public Activity Root { get; }

    public void Dispose()
    {
        Root.Dispose();
        _meters.Dispose();
        _activities.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        if (Equals(dictionary.GetValueOrDefault("db.system.name"), DriverName))
        {
            Measurements.Enqueue((instrument.Name, value, dictionary));
        }
    }
}
