using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using TypedState.Storage;

namespace TypedState.Sqlite;

// One group's transaction: taking the write lock without blocking, savepoints per write, COMMIT and what its failure
// means. Transaction statements go straight to sqlite3_exec: the write connection's busy_timeout is 0 and the
// provider's own busy retry (which sleeps the thread) is bypassed, so SQLITE_BUSY comes back at once.
internal sealed partial class SqliteWriter
{
    private static readonly TimeSpan s_longestPause = TimeSpan.FromMilliseconds(16);

    /// <summary>
    /// Takes the write lock for <paramref name="group"/>, waiting asynchronously while another connection or process
    /// holds it. Meanwhile cancelled writes drop out, writes queued longer than the busy timeout fail, and (when
    /// <paramref name="joinable"/>) newly queued writes join. False when no write is left to run.
    /// </summary>
    private async ValueTask<bool> BeginAsync(List<SqliteWrite> group, bool joinable)
    {
        var pause = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            group.RemoveAll(static write => write.IsFinished);
            if (group.Count == 0)
            {
                return false;
            }

            if (TryBegin(Session()))
            {
                return true;
            }

            var now = Stopwatch.GetTimestamp();
            foreach (var write in group)
            {
                var waited = Stopwatch.GetElapsedTime(write.QueuedAt, now);
                if (waited >= _options.BusyTimeout)
                {
                    write.Fail(LockedTooLong(waited));
                }
            }

            await Task.Delay(pause, _stopping.Token).ConfigureAwait(false);
            pause = pause * 2 < s_longestPause ? pause * 2 : s_longestPause;
            if (joinable)
            {
                Drain(group);
            }
        }
    }

    /// <summary>BEGIN IMMEDIATE: true when the write lock was taken, false when another connection holds it.</summary>
    private bool TryBegin(SqliteSession session)
    {
        // Prepared once: sqlite3_exec would parse it again on every write.
        var begin = session.Statement("BEGIN IMMEDIATE");
        var rc = begin.StepCode();
        var error = rc == raw.SQLITE_DONE ? null : begin.Error(rc);
        begin.Reset();
        if (error is null)
        {
            return true;
        }

        if ((rc & 0xFF) == raw.SQLITE_BUSY)
        {
            return false;
        }

        // Anything else (not a database, I/O error): reopen for the next write.
        DropSession();
        throw error;
    }

    /// <summary>
    /// Applies the writes of <paramref name="group"/> in the open transaction, each under a savepoint when it shares
    /// the transaction and may apply in part (so a refused batch undoes only itself), then commits and finishes
    /// them. When one throws, the transaction is rolled back and, in a group, each write is retried alone.
    /// </summary>
    private void RunGroup(SqliteSession session, List<SqliteWrite> group, Queue<SqliteWrite>? retryAlone)
    {
        var shared = group.Count > 1;
        var keep = false;
        try
        {
            foreach (var write in group)
            {
                if (shared && write.MayApplyInPart)
                {
                    Execute(session, "SAVEPOINT write");
                    if (write.Apply(session))
                    {
                        keep = true;
                    }
                    else
                    {
                        Execute(session, "ROLLBACK TO write");
                    }

                    Execute(session, "RELEASE write");
                }
                else
                {
                    keep |= write.Apply(session);
                }
            }

            keep |= PruneCommitIds(session);
        }
#pragma warning disable CA1031 // Whatever one write threw, the transaction is undone and the writes are settled one by one.
        catch (Exception error)
#pragma warning restore CA1031
        {
            RollBack(session);
            if (shared)
            {
                foreach (var write in group)
                {
                    retryAlone!.Enqueue(write);
                }

                group.Clear();
                return;
            }

            group[0].Fail(error);
            return;
        }

        if (!keep)
        {
            // Nothing to keep (refused conditions, remembered commit ids): no COMMIT, no fsync.
            RollBack(session);
            CompleteAll(group);
            return;
        }

        if (Commit(session) is not { } failure)
        {
            Interlocked.Increment(ref _transactions);
            CompleteAll(group);
            return;
        }

        foreach (var write in group)
        {
            write.Fail(failure.OutcomeUnknown && write.IsCommit
                ? new CommitOutcomeUnknownException(
                    $"SQLite failed while committing to '{_dataSource}' ({failure.Error.Message}); the transaction may have reached the file, so whether it was applied is unknown.",
                    failure.Error)
                : failure.Error);
        }
    }

    /// <summary>
    /// COMMIT, and when it fails, whether the transaction may still have been applied. SQLite answers an error at
    /// COMMIT either with the transaction still open (rolled back here: not applied), or after rolling it back
    /// itself: SQLITE_BUSY, SQLITE_LOCKED and SQLITE_CONSTRAINT are decided before anything is written, but an I/O
    /// error (or a full disk) while the WAL frames are written or synced may leave a complete commit frame in the
    /// WAL that recovery applies later, so the outcome is then unknown.
    /// </summary>
    private (Exception Error, bool OutcomeUnknown)? Commit(SqliteSession session)
    {
        var db = session.Connection.Handle!;
        var commit = session.Statement("COMMIT");
        var rc = commit.StepCode();
        var error = rc == raw.SQLITE_DONE ? CommitFault?.Invoke() : commit.Error(rc);
        commit.Reset();
        if (error is null)
        {
            return null;
        }

        if (raw.sqlite3_get_autocommit(db) == 0)
        {
            RollBack(session);
            return (error, false);
        }

        var code = error is SqliteException sqlite ? sqlite.SqliteErrorCode & 0xFF : -1;
        return (error, code is not (raw.SQLITE_BUSY or raw.SQLITE_LOCKED or raw.SQLITE_CONSTRAINT));
    }

    /// <summary>Rolls the open transaction back; a connection that cannot is closed (which rolls back) and reopened later.</summary>
    private void RollBack(SqliteSession session)
    {
        var db = session.Connection.Handle!;
        raw.sqlite3_exec(db, "ROLLBACK");
        if (raw.sqlite3_get_autocommit(db) == 0)
        {
            DropSession();
        }
    }

    private static void Execute(SqliteSession session, string sql)
    {
        var db = session.Connection.Handle!;
        var rc = raw.sqlite3_exec(db, sql);
        if (rc != raw.SQLITE_OK)
        {
            throw ErrorOf(rc, db);
        }
    }

    /// <summary>Deletes expired commit ids now and then (SqliteCommitPruner says when).</summary>
    private bool PruneCommitIds(SqliteSession session) => _pruner.PruneIfDue(session, _clock.GetUtcNow().ToUnixTimeMilliseconds());

    private void DropSession()
    {
        _session?.Dispose();
        _session = null;
    }

    private static void CompleteAll(List<SqliteWrite> group)
    {
        foreach (var write in group)
        {
            write.Complete();
        }
    }

    private static SqliteException ErrorOf(int rc, sqlite3 db)
    {
        try
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
        catch (SqliteException error)
        {
            return error;
        }

        return new SqliteException($"SQLite error {rc}", rc);
    }

    private TimeoutException LockedTooLong(TimeSpan waited) => new(
        string.Create(
            CultureInfo.InvariantCulture,
            $"The SQLite database '{_dataSource}' is locked by another connection or process: the write waited {waited.TotalSeconds:0.0} s for the write lock, " +
            $"past SqliteStateDriverOptions.BusyTimeout ({_options.BusyTimeout.TotalSeconds:0.###} s)."),
        new SqliteException("SQLite Error 5: 'database is locked'.", raw.SQLITE_BUSY));
}
