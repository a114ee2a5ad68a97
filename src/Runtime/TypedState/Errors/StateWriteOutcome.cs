namespace TypedState;

/// <summary>What a failed operation did to stored state, as far as TypedState could learn.</summary>
/// <remarks>
/// Retrying is safe after <see cref="NotApplied"/>. After <see cref="Unknown"/> the change may be stored: read the
/// record (or compare versions) before deciding to repeat a change that is not idempotent, such as an increment.
/// </remarks>
public enum StateWriteOutcome
{
    /// <summary>
    /// Nothing was stored: the operation was refused before it reached the store, the store refused it (a version
    /// conflict, a stale fence), or the driver knows its batch was rolled back. Reads always report this.
    /// </summary>
    NotApplied,

    /// <summary>The change was stored, but a step after it failed (for example a telemetry listener threw).</summary>
    Applied,

    /// <summary>
    /// The request reached the store, but its answer was lost (the connection broke, the server froze beyond the
    /// timeout) and the manager could not learn the outcome within
    /// <see cref="StateManagerOptions.CommitRecoveryTimeout"/>: the change may or may not be stored.
    /// </summary>
    Unknown,
}
