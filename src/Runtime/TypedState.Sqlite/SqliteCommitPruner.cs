namespace TypedState.Sqlite;

/// <summary>
/// Deletes expired commit ids from <c>typedstate_commits</c>, a single b-tree keyed by the id (layout 8), without an
/// index on the expiry. Each prune looks at two ranges of at most <see cref="Batch"/> rows in key order, so it never
/// holds the write lock for long: the left edge, where the time-ordered ids of <c>CommitId.New</c> expire first; and
/// the next range of a sweep that goes round the whole table, which finds any other expired id (a caller's random id,
/// an id of a skewed clock, one kept for a longer retention). A prune runs a second after the last, at once after one
/// that found a full batch expired at the left edge, and after every half batch of ids remembered, so the sweep
/// passes each row at least twice as fast as rows are added: every id is deleted within about twice its retention
/// at any commit rate, a time-ordered one within about a second of it.
/// </summary>
internal sealed class SqliteCommitPruner
{
    /// <summary>The most rows one range of a prune looks at.</summary>
    public const int Batch = 1000;

    private static readonly byte[] s_start = [];

    private byte[] _sweep = s_start;
    private long _nextAt;

    /// <summary>Prunes when due (at <paramref name="now"/>, unix milliseconds); returns whether it deleted anything.</summary>
    public bool PruneIfDue(SqliteSession session, long now)
    {
        if (now < _nextAt && session.RememberedIds < Batch / 2)
        {
            return false;
        }

        session.RememberedIds = 0;
        var oldest = Prune(session, s_start, now, out _);
        var swept = Prune(session, _sweep, now, out var end);
        _sweep = end ?? s_start;
        _nextAt = oldest == Batch ? now : now + 1000;
        return oldest + swept > 0;
    }

    /// <summary>Deletes the expired ids among the <see cref="Batch"/> rows after <paramref name="after"/>; <paramref name="end"/> is the last row looked at, null past the last row.</summary>
    private static int Prune(SqliteSession session, byte[] after, long now, out byte[]? end)
    {
        var range = session.Command(SqliteSql.CommitRangeEnd, null);
        SqliteSession.Bind(range, "$after", after);
        SqliteSession.Bind(range, "$limit", (long)Batch);
        end = range.ExecuteScalar() as byte[];
        if (end is null)
        {
            return 0;
        }

        var delete = session.Command(SqliteSql.PruneCommitRange, null);
        SqliteSession.Bind(delete, "$after", after);
        SqliteSession.Bind(delete, "$end", end);
        SqliteSession.Bind(delete, "$now", now);
        return delete.ExecuteNonQuery();
    }
}
