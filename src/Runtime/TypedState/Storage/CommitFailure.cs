namespace TypedState.Storage;

/// <summary>Why a batch was not applied.</summary>
public enum CommitFailure
{
    /// <summary>The batch was applied.</summary>
    None,

    /// <summary>A write's expected version did not match (<see cref="CommitResult.ConflictIndex"/> indexes the writes).</summary>
    Version,

    /// <summary>A fence was stale: a newer lock was granted (<see cref="CommitResult.ConflictIndex"/> indexes the fences).</summary>
    Fence,

    /// <summary>
    /// A write's guild is paused (<see cref="CommitResult.ConflictIndex"/> indexes the writes;
    /// <see cref="CommitResult.ActualVersion"/> is the sequence the guild was paused at), or an append's guild has no
    /// timeline (<see cref="CommitResult.ActualVersion"/> is -1).
    /// </summary>
    Timeline,
}
