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
}
