using System.Diagnostics;

namespace TypedState.Observability;

/// <summary>
/// The span of an operation made of several calls to the store (<c>update</c>, <c>transaction</c>): an internal span,
/// the parent of each call's own client span, and no measurement of its own (the duration histogram counts calls to
/// the store, so its counts stay the number of round trips). It records how many attempts the retry loop made.
/// </summary>
internal readonly struct CompositeSpan : IDisposable
{
    private readonly Activity? _activity;

    public CompositeSpan(string operation, StateOwner? owner, string? key) =>
        _activity = TelemetryTags.StartSpan(operation, ActivityKind.Internal, null, owner, key);

    /// <summary>Records that attempt <paramref name="attempt"/> (from 1) begins.</summary>
    public void Attempt(int attempt) => _activity?.SetTag(TelemetryTags.Attempts, attempt);

    public void Fail(Exception exception) => TelemetryTags.FailSpan(_activity, exception);

    public void Dispose() => _activity?.Dispose();
}
