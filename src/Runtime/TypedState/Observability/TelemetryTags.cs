using System.Diagnostics;
using TypedState.Diagnostics;

namespace TypedState.Observability;

/// <summary>
/// The attribute names spans and metrics share (OpenTelemetry's database-client conventions, then TypedState's own),
/// and the values they take. docs/telemetry.md documents each; owner and key go on spans only (unbounded
/// cardinality), never on a metric.
/// </summary>
internal static class TelemetryTags
{
    public const string DbSystemName = "db.system.name";
    public const string DbOperationName = "db.operation.name";
    public const string DbCollectionName = "db.collection.name";
    public const string ErrorType = "error.type";
    public const string Scope = "typedstate.scope";
    public const string Owner = "typedstate.owner";
    public const string Key = "typedstate.key";
    public const string Attempts = "typedstate.attempts";
    public const string Outcome = "typedstate.outcome";

    /// <summary>The conventions' advised boundaries for <c>db.client.operation.duration</c>, in seconds.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

    /// <summary>The conventions' <c>db.system.name</c> of a driver: their well-known value where one exists.</summary>
    public static string SystemName(string driver) => driver switch
    {
        "postgres" => "postgresql",
        _ => driver,
    };

    /// <summary>
    /// <c>error.type</c>: the exception's full type name (the conventions' choice), cancellations folded into one
    /// value so that a task's subclass does not split them.
    /// </summary>
    public static string ErrorTypeOf(Exception exception) => exception is OperationCanceledException
        ? typeof(OperationCanceledException).FullName!
        : exception.GetType().FullName ?? exception.GetType().Name;

    /// <summary>Starts a span named as the conventions ask (<c>{operation} {scope}</c>), with the shared attributes.</summary>
    public static Activity? StartSpan(string operation, ActivityKind kind, string? system, StateOwner? owner, string? key)
    {
        if (!StateTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = StateTelemetry.ActivitySource.StartActivity("typedstate." + operation, kind);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = owner is { } named ? operation + " " + ScopeName(named.Scope) : operation;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(DbSystemName, system);
            activity.SetTag(DbOperationName, operation);
            if (owner is { } o)
            {
                var scope = ScopeName(o.Scope);
                activity.SetTag(DbCollectionName, scope);
                activity.SetTag(Scope, scope);
                activity.SetTag(Owner, o.ToString());
            }

            activity.SetTag(Key, key);
        }

        return activity;
    }

    /// <summary>Marks a span failed: status, <c>error.type</c> and the exception event.</summary>
    public static void FailSpan(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag(ErrorType, ErrorTypeOf(exception));
        activity.AddException(exception);
    }

    /// <summary>The scope's name as tagged (the enum member's name), without formatting the enum on every operation.</summary>
    public static string ScopeName(Scope scope) => scope switch
    {
        TypedState.Scope.Agent => nameof(TypedState.Scope.Agent),
        TypedState.Scope.Guild => nameof(TypedState.Scope.Guild),
        TypedState.Scope.Global => nameof(TypedState.Scope.Global),
        _ => scope.ToString(),
    };
}
