namespace TypedState.Sqlite;

/// <summary>What the entries of one commit carry about it.</summary>
/// <param name="Id">The commit id's 16 bytes (zeros for none).</param>
/// <param name="Timestamp">The commit's time, unix milliseconds.</param>
/// <param name="Writes">The batch's write count when its entries keep its commit id (SqliteLoggedCommits); else null.</param>
internal readonly record struct SqliteEntryCommit(byte[] Id, long Timestamp, long? Writes)
{
    /// <summary>An entry not written by a commit's batch (an owner's removal): no commit id.</summary>
    public static SqliteEntryCommit None(long timestamp) => new(SqliteTimelineWrites.CommitBytes(default), timestamp, null);
}
