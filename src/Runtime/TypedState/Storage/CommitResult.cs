namespace TypedState.Storage;

/// <summary>The outcome of <see cref="IStateDriver.CommitAsync"/>.</summary>
public readonly struct CommitResult
{
    private readonly long[]? _versions;

    private CommitResult(long[]? versions, CommitFailure failure, int conflictIndex, long actualVersion)
    {
        _versions = versions;
        Failure = failure;
        ConflictIndex = conflictIndex;
        ActualVersion = actualVersion;
    }

    /// <summary>Whether every condition held and every write was applied.</summary>
    public bool Succeeded => Failure == CommitFailure.None;

    /// <summary>Why nothing was applied, or <see cref="CommitFailure.None"/>.</summary>
    public CommitFailure Failure { get; }

    /// <summary>
    /// On success, one version per batch entry: the new version for a set, the version the record had before a
    /// delete (0 when it was absent), and the checked version for a check.
    /// </summary>
    public IReadOnlyList<long> Versions => _versions ?? [];

    /// <summary>On failure, the index of the first write (or fence) whose condition did not hold; -1 on success.</summary>
    public int ConflictIndex { get; }

    /// <summary>
    /// On a version failure, the live version (0 when absent) the failing write found; on a fence failure, the
    /// newest token granted for a lock covering the fence.
    /// </summary>
    public long ActualVersion { get; }

    /// <summary>A successful commit.</summary>
    public static CommitResult Success(long[] versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        return new CommitResult(versions, CommitFailure.None, -1, 0);
    }

    /// <summary>A commit that applied nothing because entry <paramref name="conflictIndex"/> found <paramref name="actualVersion"/>.</summary>
    public static CommitResult Conflict(int conflictIndex, long actualVersion)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(conflictIndex);
        return new CommitResult(null, CommitFailure.Version, conflictIndex, actualVersion);
    }

    /// <summary>
    /// A commit that applied nothing because write <paramref name="writeIndex"/> belongs to a guild paused at
    /// <paramref name="pausedAt"/>, or (with -1) appends to a guild that has no timeline.
    /// </summary>
    public static CommitResult TimelineRefused(int writeIndex, long pausedAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writeIndex);
        return new CommitResult(null, CommitFailure.Timeline, writeIndex, pausedAt);
    }

    /// <summary>A commit that applied nothing because fence <paramref name="fenceIndex"/> is older than <paramref name="newestToken"/>.</summary>
    public static CommitResult FencedOut(int fenceIndex, long newestToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fenceIndex);
        return new CommitResult(null, CommitFailure.Fence, fenceIndex, newestToken);
    }
}
