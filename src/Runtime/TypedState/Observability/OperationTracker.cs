using System.Diagnostics;
using TypedState.Diagnostics;

namespace TypedState.Observability;

/// <summary>
/// Span, counters and duration of one operation. Costs a few branches when nobody listens, so it can sit on
/// the hot path.
/// </summary>
internal readonly struct OperationTracker
{
    private readonly Activity? _activity;
    private readonly long _startTimestamp;
    private readonly string _operation;
    private readonly string _driver;
    private readonly Scope? _scope;

    private OperationTracker(string operation, string driver, Scope? scope, Activity? activity, long startTimestamp)
    {
        _operation = operation;
        _driver = driver;
        _scope = scope;
        _activity = activity;
        _startTimestamp = startTimestamp;
    }

    public static OperationTracker Start(string operation, string driver, StateOwner? owner, string? key)
    {
        Activity? activity = null;
        if (StateTelemetry.ActivitySource.HasListeners())
        {
            activity = StateTelemetry.ActivitySource.StartActivity("typedstate." + operation, ActivityKind.Internal);
            activity?.SetTag("typedstate.driver", driver);
            if (activity is not null && owner is { } o)
            {
                activity.SetTag("typedstate.scope", o.Scope.ToString());
                activity.SetTag("typedstate.owner", o.ToString());
                if (key is not null)
                {
                    activity.SetTag("typedstate.key", key);
                }
            }
        }

        var start = StateTelemetry.Duration.Enabled ? Stopwatch.GetTimestamp() : 0;
        return new OperationTracker(operation, driver, owner?.Scope, activity, start);
    }

    public void Complete(string outcome = "ok")
    {
        if (StateTelemetry.Operations.Enabled)
        {
            StateTelemetry.Operations.Add(
                1,
                new KeyValuePair<string, object?>("operation", _operation),
                new KeyValuePair<string, object?>("scope", _scope?.ToString()),
                new KeyValuePair<string, object?>("driver", _driver),
                new KeyValuePair<string, object?>("outcome", outcome));
        }

        if (_startTimestamp != 0)
        {
            StateTelemetry.Duration.Record(
                Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>("operation", _operation),
                new KeyValuePair<string, object?>("driver", _driver));
        }

        _activity?.Dispose();
    }

    public void Fail(Exception exception)
    {
        if (exception is StateConflictException && StateTelemetry.Conflicts.Enabled)
        {
            StateTelemetry.Conflicts.Add(
                1,
                new KeyValuePair<string, object?>("operation", _operation),
                new KeyValuePair<string, object?>("scope", _scope?.ToString()));
        }

        _activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        _activity?.AddException(exception);
        Complete(exception switch
        {
            StateConflictException => "conflict",
            OperationCanceledException => "canceled",
            _ => "error",
        });
    }
}
