using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Sqlite;

/// <summary>
/// Commit ids kept by the entries of a logged commit (layout 7) instead of a row of <c>typedstate_commits</c>, so a
/// logged commit writes its entries and no second random-keyed row. A batch whose every write adds one entry to one
/// guild's timeline marks those entries with its write count; the versions it returned are read back from them (a
/// set's new version, a delete's removed one, an append's sequence). The id is remembered for the retention after
/// the entries' time, as a row of <c>typedstate_commits</c> is; before a prune or a guild's removal deletes entries,
/// the unexpired ids they hold move to <c>typedstate_commits</c>, so deleting history never forgets an id early.
/// </summary>
internal static class SqliteLoggedCommits
{
    /// <summary>Whether the batch's id can be kept by its entries: it has one, and every write goes to the one timeline guild.</summary>
    public static bool CanKeep(CommitId id, IReadOnlyList<StateWrite> writes, List<SqliteTimelineRow>? timelines)
    {
        if (id.IsNone || timelines is not { Count: 1 })
        {
            return false;
        }

        var guild = timelines[0].GuildId;
        for (var i = 0; i < writes.Count; i++)
        {
            var owner = writes[i].Owner;
            if (owner.Scope == Scope.Global || !string.Equals(owner.GuildIdOrEmpty, guild, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The versions the commit <paramref name="id"/> returned, when its entries keep it and it is unexpired at <paramref name="since"/>; else null.</summary>
    public static long[]? Find(SqliteSession session, CommitId id, long since)
    {
        // Every logged commit asks (and almost always finds nothing): a prepared statement, nothing allocated then.
        var statement = session.Statement(SqliteTimelineSql.FindLoggedCommit);
        List<LoggedWrite>? entries = null;
        try
        {
            Span<byte> bytes = stackalloc byte[16];
            SqliteCommitIdBytes.WriteOrdered(id, bytes);
            statement.Bind("$id", bytes);
            statement.Bind("$since", since);
            while (statement.Step())
            {
                (entries ??= []).Add(LoggedWrite.Of(statement));
            }
        }
        finally
        {
            statement.Reset();
        }

        return entries is null ? null : VersionsOf(entries);
    }

    /// <summary>
    /// Moves the ids kept by entries of <paramref name="guildId"/> at or below <paramref name="horizon"/>, unexpired at
    /// <paramref name="now"/> (unix milliseconds), to <c>typedstate_commits</c> with the expiry they had: run before
    /// those entries are deleted.
    /// </summary>
    public static void HandOver(SqliteSession session, string guildId, long horizon, long now, TimeSpan retention)
    {
        var retentionMs = (long)retention.TotalMilliseconds;
        var statement = session.Statement(SqliteTimelineSql.LoggedCommitsUpTo);
        var commits = new Dictionary<Guid, List<LoggedWrite>>();
        try
        {
            statement.Bind("$guild", guildId);
            statement.Bind("$horizon", horizon);
            statement.Bind("$since", now - retentionMs);
            while (statement.Step())
            {
                var id = new Guid(statement.Blob(0));
                if (!commits.TryGetValue(id, out var entries))
                {
                    commits.Add(id, entries = []);
                }

                entries.Add(LoggedWrite.Of(statement));
            }
        }
        finally
        {
            statement.Reset();
        }

        foreach (var (id, entries) in commits)
        {
            if (VersionsOf(entries) is { } versions)
            {
                SqliteCommitMemory.Remember(session, new CommitId(id), versions, entries[0].Timestamp + retentionMs, once: true);
            }
        }
    }

    /// <summary>The batch's versions in write order, or null when some of its entries are gone (it is then in typedstate_commits).</summary>
    private static long[]? VersionsOf(List<LoggedWrite> entries)
    {
        if (entries.Count != entries[0].Writes)
        {
            return null;
        }

        entries.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        var versions = new long[entries.Count];
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i] = entries[i].Version;
        }

        return versions;
    }

    /// <summary>One entry of a commit that keeps its id, as read by the statements of <see cref="SqliteTimelineSql.FindLoggedCommit"/>'s shape.</summary>
    private readonly record struct LoggedWrite(long Sequence, long Version, long Writes, long Timestamp)
    {
        public static LoggedWrite Of(SqliteStatement row)
        {
            // What the write returned: a delete the version it removed, a set its new version, an append its sequence.
            var version = (TimelineEntryKind)row.Int64(2) == TimelineEntryKind.Delete ? row.Int64(3) : row.Int64(4);
            return new(row.Int64(1), version, row.Int64(5), row.Int64(6));
        }
    }
}
