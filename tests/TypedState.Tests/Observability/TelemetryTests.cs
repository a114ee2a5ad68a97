using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using TypedState.Diagnostics;

namespace TypedState.Tests.Observability;

/// <summary>Spans and metrics, observed the way OpenTelemetry would: through listeners on the "TypedState" source and meter.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task A_set_emits_a_typedstate_set_activity_and_counts_typedstate_operations()
    {
        // Other tests run in parallel and report too: this test's records are told apart by a unique driver name.
        var driverName = "telemetry-" + Guid.NewGuid().ToString("N");
        var activities = new ConcurrentQueue<Activity>();
        var operations = new ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)>();
        var conflicts = new ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)>();

        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StateTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("typedstate.driver"), driverName))
                {
                    activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);

        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StateTelemetry.Name && instrument.Name is "typedstate.operations" or "typedstate.conflicts")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }

            if (instrument.Name == "typedstate.operations" && Equals(dictionary.GetValueOrDefault("driver"), driverName))
            {
                operations.Enqueue((value, dictionary));
            }
            else if (instrument.Name == "typedstate.conflicts")
            {
                conflicts.Enqueue((value, dictionary));
            }
        });
        meterListener.Start();

        await using var state = new StateManager(new NamedDriver(driverName), ownsDriver: true);
        var owner = StateOwner.Agent("telemetry-guild", "telemetry-agent");
        await state.SetAsync(owner, "observed", 1);
        await state.GetAsync<int>(owner, "observed");
        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(owner, "observed", 2, expectedVersion: 9).AsTask());

        var set = Assert.Single(activities, a => a.OperationName == "typedstate.set" && a.Status != ActivityStatusCode.Error);
        Assert.Equal("Agent", set.GetTagItem("typedstate.scope"));
        Assert.Equal(owner.ToString(), set.GetTagItem("typedstate.owner"));
        Assert.Equal("observed", set.GetTagItem("typedstate.key"));
        Assert.Contains(activities, a => a.OperationName == "typedstate.get");
        var failed = Assert.Single(activities, a => a.OperationName == "typedstate.set" && a.Status == ActivityStatusCode.Error);
        Assert.Contains("conflict", failed.StatusDescription, StringComparison.OrdinalIgnoreCase);

        var okSet = Assert.Single(operations, m => Equals(m.Tags["operation"], "set") && Equals(m.Tags["outcome"], "ok"));
        Assert.Equal(1, okSet.Value);
        Assert.Equal("Agent", okSet.Tags["scope"]);
        Assert.Single(operations, m => Equals(m.Tags["operation"], "get") && Equals(m.Tags["outcome"], "ok"));
        Assert.Single(operations, m => Equals(m.Tags["operation"], "set") && Equals(m.Tags["outcome"], "conflict"));
        Assert.Contains(conflicts, m => Equals(m.Tags["operation"], "set") && Equals(m.Tags["scope"], "Agent"));
    }

    [Fact]
    public async Task A_listing_stopped_early_still_ends_its_typedstate_list_activity_and_is_counted()
    {
        var driverName = "telemetry-" + Guid.NewGuid().ToString("N");
        var started = new ConcurrentQueue<Activity>();
        var stopped = new ConcurrentQueue<Activity>();
        var counted = new ConcurrentQueue<string?>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StateTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity =>
            {
                // Tags are set after the start callback, so this test's own activities are picked out later.
                if (activity.OperationName == "typedstate.list")
                {
                    started.Enqueue(activity);
                }
            },
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "typedstate.list" && Equals(activity.GetTagItem("typedstate.driver"), driverName))
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StateTelemetry.Name && instrument.Name == "typedstate.operations")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? operation = null;
            var ours = false;
            foreach (var tag in tags)
            {
                operation = tag.Key == "operation" ? tag.Value as string : operation;
                ours |= tag.Key == "driver" && Equals(tag.Value, driverName);
            }

            if (ours && operation == "list")
            {
                counted.Enqueue(operation);
            }
        });
        meterListener.Start();

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

        var ours = Assert.Single(started, a => Equals(a.GetTagItem("typedstate.driver"), driverName));
        Assert.Same(ours, Assert.Single(stopped));
        Assert.Single(counted);
    }
}
