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

    // Where a range from the left edge starts: every key sorts after 16 zero bytes, the id of CommitId.None, which is
    // never remembered.
    private static readonly byte[] s_start = new byte[16];

    private readonly byte[] _sweep = new byte[16];
    private readonly byte[] _end = new byte[16];
    private long _nextAt;

    /// <summary>Prunes when due (at <paramref name="now"/>, unix milliseconds); returns whether it deleted anything.</summary>
    public bool PruneIfDue(SqliteSession session, long now)
    {
        if (now < _nextAt && session.RememberedIds < Batch / 2)
        {
            return false;
        }

        session.RememberedIds = 0;
        var oldest = Prune(session, s_start, now, _end, out _);
        var swept = Prune(session, _sweep, now, _end, out var more);
        (more ? _end : s_start).CopyTo(_sweep, 0);
        _nextAt = oldest == Batch ? now : now + 1000;
        return oldest + swept > 0;
    }

    /// <summary>
    /// Deletes the expired ids among the <see cref="Batch"/> rows after <paramref name="after"/>; <paramref name="end"/>
    /// receives the last key looked at, and <paramref name="found"/> says whether there was one.
    /// </summary>
    private static int Prune(SqliteSession session, byte[] after, long now, byte[] end, out bool found)
    {
        var range = session.Statement(SqliteSql.CommitRangeEnd);
        try
        {
            range.Bind("$after", after);
            range.Bind("$limit", Batch);
            found = range.Step() && !range.IsNull(0);
            if (!found)
            {
                return 0;
            }

            // Keys are 16 bytes; a longer one would only start the next range a little early.
            var key = range.Blob(0);
            end.AsSpan().Clear();
            key[..Math.Min(key.Length, end.Length)].CopyTo(end);
        }
        finally
        {
            range.Reset();
        }

        var delete = session.Statement(SqliteSql.PruneCommitRange);
        try
        {
            delete.Bind("$after", after);
            delete.Bind("$end", end);
            delete.Bind("$now", now);
            delete.Step();
            return delete.Changes;
        }
        finally
        {
            delete.Reset();
        }
    }
}
