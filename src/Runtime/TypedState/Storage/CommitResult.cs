namespace TypedState.Storage;

/// <summary>The outcome of <see cref="IStateDriver.CommitAsync"/>.</summary>
public readonly struct CommitResult
{
    private readonly long[]? _versions;

    private CommitResult(long[]? versions, int conflictIndex, long actualVersion)
    {
        _versions = versions;
        ConflictIndex = conflictIndex;
        ActualVersion = actualVersion;
    }

    /// <summary>Whether every condition held and every write was applied.</summary>
    public bool Succeeded => ConflictIndex < 0;

    /// <summary>
    /// On success, one version per batch entry: the new version for a set, the version the record had before a
    /// delete (0 when it was absent), and the checked version for a check.
    /// </summary>
    public IReadOnlyList<long> Versions => _versions ?? [];

    /// <summary>On failure, the index of the first entry whose condition did not hold; -1 on success.</summary>
    public int ConflictIndex { get; }

    /// <summary>On failure, the live version (0 when absent) that the failing entry found.</summary>
    public long ActualVersion { get; }

    /// <summary>A successful commit.</summary>
    public static CommitResult Success(long[] versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        return new CommitResult(versions, -1, 0);
    }

    /// <summary>A commit that applied nothing because entry <paramref name="conflictIndex"/> found <paramref name="actualVersion"/>.</summary>
    public static CommitResult Conflict(int conflictIndex, long actualVersion)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(conflictIndex);
        return new CommitResult(null, conflictIndex, actualVersion);
    }
}
