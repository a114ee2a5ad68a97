using System.Diagnostics;
using System.Diagnostics.Metrics;
using TypedState.Diagnostics;

namespace TypedState.Tests.Observability;

/// <summary>
/// A telemetry listener that throws while a read completes. The in-memory driver answers at once, so the read
/// completes on its synchronous path, which GetAsync and GetRecordAsync share: both report the listener's error the
/// same way, as a failed read (<see cref="StateDriverException"/>), and the record is left as it was.
/// </summary>
public sealed class ThrowingListenerTests
{
    [Theory]
    [InlineData("activity listener", true)]
    [InlineData("activity listener", false)]
    [InlineData("meter listener", true)]
    [InlineData("meter listener", false)]
    public async Task A_listener_throwing_as_a_read_completes_fails_GetAsync_and_GetRecordAsync_alike(string listener, bool stored)
    {
        var driverName = "throwing-listener-" + Guid.NewGuid().ToString("N");
        await using var state = new StateManager(new NamedDriver(driverName), ownsDriver: true);
        var owner = StateOwner.Guild("g");
        if (stored)
        {
            await state.SetAsync(owner, "k", 7);
        }

        StateDriverException typed, raw;
        using (listener == "activity listener" ? ThrowWhenGetActivityStops(driverName) : (IDisposable)ThrowWhenGetIsCounted(driverName))
        {
            var typedRead = state.GetAsync<int>(owner, "k");
            var rawRead = state.GetRecordAsync(owner, "k");

            // Reported through the returned task, not thrown from the call.
            Assert.True(typedRead.IsFaulted);
            Assert.True(rawRead.IsFaulted);
            typed = await Assert.ThrowsAsync<StateDriverException>(() => typedRead.AsTask());
            raw = await Assert.ThrowsAsync<StateDriverException>(() => rawRead.AsTask());
        }

        foreach (var failure in new[] { typed, raw })
        {
            Assert.Equal(driverName, failure.Driver);
            Assert.Equal("get", failure.Operation);
            Assert.Equal(owner, failure.Owner);
            Assert.Equal("k", failure.Key);
            Assert.IsType<ListenerFailure>(failure.InnerException);
        }

        Assert.Equal(typed.Message, raw.Message);
        var entry = await state.GetAsync<int>(owner, "k");
        Assert.Equal((stored, stored ? 7 : 0), (entry.Exists, entry.Value));
    }

    /// <summary>An activity listener whose ActivityStopped throws for this test's reads.</summary>
    private static ActivityListener ThrowWhenGetActivityStops(string driverName)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StateTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "typedstate.get" && Equals(activity.GetTagItem("db.system.name"), driverName))
                {
                    throw new ListenerFailure();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>
    /// A meter listener whose callback throws when this test's read is counted as done (with no error.type); counting the
    /// failure (with one) goes through, as a listener that breaks on one measurement would.
    /// </summary>
    private static MeterListener ThrowWhenGetIsCounted(string driverName)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument.Meter.Name == StateTelemetry.Name && instrument.Name == "typedstate.operations")
                {
                    meterListener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var (ours, get, failed) = (false, false, false);
            foreach (var tag in tags)
            {
                ours |= tag.Key == "db.system.name" && Equals(tag.Value, driverName);
                get |= tag.Key == "db.operation.name" && Equals(tag.Value, "get");
                failed |= tag.Key == "error.type";
            }

            if (ours && get && !failed)
            {
                throw new ListenerFailure();
            }
        });
        listener.Start();
        return listener;
    }

    private sealed class ListenerFailure() : Exception("The telemetry listener failed.");
}
