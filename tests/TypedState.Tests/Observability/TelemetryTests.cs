using System.Diagnostics;
using TypedState.Diagnostics;

namespace TypedState.Tests.Observability;

/// <summary>Spans and metrics, observed the way OpenTelemetry would: through listeners on the "TypedState" source and meter.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task A_set_emits_a_typedstate_set_span_and_counts_typedstate_operations()
    {
        using var capture = new TelemetryCapture("telemetry-" + Guid.NewGuid().ToString("N"));
        await using var state = new StateManager(new NamedDriver(capture.DriverName), ownsDriver: true);
        var owner = StateOwner.Agent("telemetry-guild", "telemetry-agent");
        await state.SetAsync(owner, "observed", 1);
        await state.GetAsync<int>(owner, "observed");
        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(owner, "observed", 2, expectedVersion: 9).AsTask());

        var set = Assert.Single(capture.Spans, a => a.OperationName == "typedstate.set" && a.Status != ActivityStatusCode.Error);
        Assert.Equal("set Agent", set.DisplayName);
        Assert.Equal(ActivityKind.Client, set.Kind);
        Assert.Equal("Agent", set.GetTagItem("typedstate.scope"));
        Assert.Equal(owner.ToString(), set.GetTagItem("typedstate.owner"));
        Assert.Equal("observed", set.GetTagItem("typedstate.key"));
        Assert.Contains(capture.Spans, a => a.OperationName == "typedstate.get");
        var failed = Assert.Single(capture.Spans, a => a.OperationName == "typedstate.set" && a.Status == ActivityStatusCode.Error);
        Assert.Contains("conflict", failed.StatusDescription, StringComparison.OrdinalIgnoreCase);

        var operations = capture.Measurements.Where(m => m.Instrument == "typedstate.operations").ToList();
        var okSet = Assert.Single(operations, m => Equals(m.Tags["db.operation.name"], "set") && !m.Tags.ContainsKey("error.type"));
        Assert.Equal(1, okSet.Value);
        Assert.Equal("Agent", okSet.Tags["typedstate.scope"]);
        Assert.Single(operations, m => Equals(m.Tags["db.operation.name"], "get") && !m.Tags.ContainsKey("error.type"));
        Assert.Single(operations, m => Equals(m.Tags["db.operation.name"], "set") && Equals(m.Tags.GetValueOrDefault("error.type"), typeof(StateConflictException).FullName));
        Assert.Contains(capture.Measurements, m => m.Instrument == "typedstate.conflicts" && Equals(m.Tags["db.operation.name"], "set") && Equals(m.Tags["typedstate.scope"], "Agent"));
    }

    [Fact]
    public async Task A_listing_span_is_not_current_in_the_callers_loop_and_ends_once_the_listing_is_read()
    {
        using var capture = new TelemetryCapture("telemetry-" + Guid.NewGuid().ToString("N"));
        await using var state = new StateManager(new NamedDriver(capture.DriverName), ownsDriver: true);
        for (var i = 0; i < 3; i++)
        {
            await state.SetAsync(StateOwner.Global, $"k{i}", i);
        }

        var seen = new List<int>();
        await foreach (var entry in state.ListAsync<int>(StateOwner.Global, "k"))
        {
            // The caller's own work between steps is not part of the listing's span.
            Assert.Same(capture.Root, Activity.Current);
            seen.Add((await state.GetAsync<int>(StateOwner.Global, entry.Key)).Value);
        }

        Assert.Equal([0, 1, 2], seen);
        var list = Assert.Single(capture.Spans, a => a.OperationName == "typedstate.list");
        Assert.Equal(capture.Root.SpanId, list.ParentSpanId);
        Assert.All(capture.Spans.Where(a => a.OperationName == "typedstate.get"), get => Assert.Equal(capture.Root.SpanId, get.ParentSpanId));
        Assert.Single(capture.Measurements, m => m.Instrument == "typedstate.operations" && Equals(m.Tags["db.operation.name"], "list"));
    }

    [Fact]
    public async Task A_listing_stopped_early_still_ends_its_typedstate_list_span_and_is_counted()
    {
        var driverName = "telemetry-" + Guid.NewGuid().ToString("N");
        var started = new List<Activity>();
        using var capture = new TelemetryCapture(driverName);
        using var startListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StateTelemetry.Name,
            ActivityStarted = activity =>
            {
                if (activity.OperationName == "typedstate.list" && activity.TraceId == capture.Root.TraceId)
                {
                    lock (started)
                    {
                        started.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(startListener);

        await using var state = new StateManager(new NamedDriver(driverName), ownsDriver: true);
        for (var i = 0; i < 5; i++)
        {
            await state.SetAsync(StateOwner.Global, $"k{i}", i);
        }

        await foreach (var entry in state.ListAsync<int>(StateOwner.Global, "k"))
        {
            Assert.Equal(0, entry.Value);
            break;
        }

        var ours = Assert.Single(started);
        Assert.Same(ours, Assert.Single(capture.Spans, a => a.OperationName == "typedstate.list"));
        Assert.Single(capture.Measurements, m => m.Instrument == "typedstate.operations" && Equals(m.Tags["db.operation.name"], "list"));
    }
}
