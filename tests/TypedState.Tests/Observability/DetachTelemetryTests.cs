using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TypedState.Diagnostics;
using TypedState.InMemory;

namespace TypedState.Tests.Observability;

/// <summary>A detach is traced like its sibling timeline operations and logged as event 12.</summary>
public sealed class DetachTelemetryTests
{
    [Fact]
    public async Task A_detach_emits_a_timeline_detach_activity_and_log_event_12()
    {
        // Listeners are process-wide: this test's spans are told apart by a guild id of its own.
        var fork = "detach-telemetry-" + Guid.NewGuid().ToString("N");
        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StateTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("typedstate.owner"), StateOwner.Guild(fork).ToString()))
                {
                    activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);
        var logged = new ConcurrentQueue<(EventId Id, LogLevel Level, string Message)>();
        using var loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(new CollectingProvider(logged)));

        await using var state = new StateManager(new InMemoryStateDriver(), loggerFactory: loggerFactory, ownsDriver: true);
        await state.Timelines.StartAsync("detach-source");
        await state.SetAsync(StateOwner.Guild("detach-source"), "k", "v");
        await state.Timelines.ForkAsync("detach-source", 1, fork);
        await state.Timelines.DetachAsync(fork);
        await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.DetachAsync(fork));

        Assert.Single(activities, a => a.OperationName == "typedstate.timeline.detach" && a.Status != ActivityStatusCode.Error);
        Assert.Single(activities, a => a.OperationName == "typedstate.timeline.detach" && a.Status == ActivityStatusCode.Error);
        var detached = Assert.Single(logged, e => e.Id.Id == 12);
        Assert.Equal(LogLevel.Information, detached.Level);
        Assert.Contains($"'{fork}'", detached.Message, StringComparison.Ordinal);
        Assert.Contains("sequence 1", detached.Message, StringComparison.Ordinal);
    }

    private sealed class CollectingProvider(ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> logged) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logged.Enqueue((eventId, logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
