using System.Diagnostics;
using TypedState.Diagnostics;

namespace TypedState.Observability;

/// <summary>
/// Span, counters and duration of one call to the store, tagged alike (<see cref="TelemetryTags"/>). Costs a few
/// branches when nobody listens, so it can sit on the hot path.
/// </summary>
internal readonly struct OperationTracker
{
    private readonly Activity? _activity;
    private readonly long _startTimestamp;
    private readonly string _operation;
    private readonly string _system;
    private readonly Scope? _scope;

    private OperationTracker(string operation, string system, Scope? scope, Activity? activity, long startTimestamp)
    {
        _operation = operation;
        _system = system;
        _scope = scope;
        _activity = activity;
        _startTimestamp = startTimestamp;
    }

    public static OperationTracker Start(string operation, string driver, StateOwner? owner, string? key)
    {
        var system = TelemetryTags.SystemName(driver);
        var activity = TelemetryTags.StartSpan(operation, ActivityKind.Client, system, owner, key);
        var start = StateTelemetry.Duration.Enabled ? Stopwatch.GetTimestamp() : 0;
        return new OperationTracker(operation, system, owner?.Scope, activity, start);
    }

    /// <summary>Ends a successful operation; <paramref name="outcome"/> tells a read that found nothing
    /// (<c>absent</c>) or a lock held by another (<c>busy</c>) from one that did.</summary>
    public void Complete(string? outcome = null)
    {
        if (outcome is not null)
        {
            _activity?.SetTag(TelemetryTags.Outcome, outcome);
        }

        End(null, outcome);
    }

    public void Fail(Exception exception)
    {
        TelemetryTags.FailSpan(_activity, exception);
        var errorType = TelemetryTags.ErrorTypeOf(exception);
        if (exception is StateConflictException && StateTelemetry.Conflicts.Enabled)
        {
            StateTelemetry.Conflicts.Add(1, Tags(errorType, null));
        }

        End(errorType, null);
    }

    private void End(string? errorType, string? outcome)
    {
        if (StateTelemetry.Operations.Enabled)
        {
            StateTelemetry.Operations.Add(1, Tags(errorType, outcome));
        }

        if (_startTimestamp != 0)
        {
            StateTelemetry.Duration.Record(Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds, Tags(errorType, outcome));
        }

        _activity?.Dispose();
    }

    /// <summary>The metric attributes: the span's, less owner and key (unbounded cardinality).</summary>
    private TagList Tags(string? errorType, string? outcome)
    {
        var tags = new TagList
        {
            { TelemetryTags.DbSystemName, _system },
            { TelemetryTags.DbOperationName, _operation },
        };
        if (_scope is { } scope)
        {
            var name = TelemetryTags.ScopeName(scope);
            tags.Add(TelemetryTags.DbCollectionName, name);
            tags.Add(TelemetryTags.Scope, name);
        }

        if (errorType is not null)
        {
            tags.Add(TelemetryTags.ErrorType, errorType);
        }

        if (outcome is not null)
        {
            tags.Add(TelemetryTags.Outcome, outcome);
        }

        return tags;
    }
}
