using System.Runtime.InteropServices;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Sqlite;

/// <summary>
/// What the writer's transaction does for a guild that keeps a timeline: the refusals of a paused guild, writes whose
/// state may come through a fork's source, and one entry per applied change at the next sequence above the guild's
/// head, in the same transaction (so sequences are gapless and in commit order; the head is the newest entry's).
/// </summary>
internal static class SqliteTimelineWrites
{
    private static readonly byte[] s_noCommit = new byte[16];

    /// <summary>
    /// The timelines of the guilds the batch writes to, or null when none has one (the plain path); a refusal when a
    /// write goes to a paused guild or appends to a guild without a timeline.
    /// </summary>
    public static List<SqliteTimelineRow>? TimelinesOf(SqliteSession session, IReadOnlyList<StateWrite> writes, out CommitResult? refused)
    {
        refused = null;
        List<SqliteTimelineRow>? rows = null;
        string? lastGuild = null;
        SqliteTimelineRow? lastRow = null;
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (write.Owner.Scope == Scope.Global)
            {
                if (write.Kind == StateWriteKind.Append)
                {
                    refused = CommitResult.TimelineRefused(i, -1);
                    return null;
                }

                continue;
            }

            // Batches mostly write to one guild: its row is read once.
            var guild = write.Owner.GuildIdOrEmpty;
            if (!string.Equals(guild, lastGuild, StringComparison.Ordinal))
            {
                lastGuild = guild;
                lastRow = Find(rows, guild);
                if (lastRow is null && SqliteTimelines.Read(session, guild) is { } read)
                {
                    lastRow = read;
                    (rows ??= []).Add(read);
                }
            }

            if (lastRow?.PausedAt is { } pausedAt)
            {
                refused = CommitResult.TimelineRefused(i, pausedAt);
                return null;
            }

            if (lastRow is null && write.Kind == StateWriteKind.Append)
            {
                refused = CommitResult.TimelineRefused(i, -1);
                return null;
            }
        }

        return rows;
    }

    /// <summary>The timeline of the write's guild among <paramref name="rows"/>, or null.</summary>
    public static SqliteTimelineRow? Find(List<SqliteTimelineRow>? rows, string guildId)
    {
        if (rows is null)
        {
            return null;
        }

        foreach (var row in rows)
        {
            if (string.Equals(row.GuildId, guildId, StringComparison.Ordinal))
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>
    /// Applies one write of a batch to a timeline guild: its condition against the state it finds (through the fork's
    /// source when the guild has no row of its own), the record with the version that continues it, and its entry.
    /// </summary>
    public static (bool Applied, long Version) Apply(SqliteSession session, SqliteTimelineRow row, StateWrite write, SqliteEntryCommit commit)
    {
        if (write.Kind == StateWriteKind.Append)
        {
            // An id already in the timeline (this batch included) appends nothing and answers the first one's sequence.
            if (SqliteTimelines.FindEvent(session, row, write.Key) is { } appended)
            {
                return (true, appended);
            }

            var sequence = row.Next();
            AddEntry(session, row.GuildId, sequence, TimelineEntryKind.Append, write.Owner, write.Key, 0, sequence, write.Value.Span, isNull: false, commit);
            return (true, sequence);
        }

        if (!row.IsFork && write.Kind is StateWriteKind.Set or StateWriteKind.Delete)
        {
            return ApplyToOwnRow(session, row, write, commit);
        }

        var current = SqliteTimelines.Current(session, row, write.Owner, write.Key);
        var live = current?.LiveVersion ?? 0;
        if (!write.IsSatisfiedBy(live))
        {
            return (false, live);
        }

        switch (write.Kind)
        {
            case StateWriteKind.Set:
                var version = (current?.Version ?? Floor(session, row.GuildId)) + 1;
                Upsert(session, write.Owner, write.Key, write.Value.Span, isNull: false, version);
                AddEntry(session, row.GuildId, row.Next(), TimelineEntryKind.Set, write.Owner, write.Key, live, version, write.Value.Span, isNull: false, commit);
                return (true, version);
            case StateWriteKind.Delete when live > 0:
                // A tombstone keeps the version, and in a fork hides what the source holds.
                Upsert(session, write.Owner, write.Key, default, isNull: true, live + 1);
                AddEntry(session, row.GuildId, row.Next(), TimelineEntryKind.Delete, write.Owner, write.Key, live, live + 1, default, isNull: true, commit);
                return (true, live);
            default:
                // A check, or a delete of an absent record: nothing changes, nothing is logged.
                return (true, live);
        }
    }

    /// <summary>
    /// A set or delete in a timeline that is no fork: the record's own row is its whole state, so one read of that row
    /// (SqliteTimelineSql.ReadOwnVersions) decides the condition and the versions, then the entry and the record are
    /// written by plain prepared statements. Deciding the version here, before the writes, spares the entry's insert
    /// the RETURNING clause (and the ephemeral table SQLite buffers its rows in) and the record's upsert a re-read.
    /// </summary>
    private static (bool Applied, long Version) ApplyToOwnRow(SqliteSession session, SqliteTimelineRow row, StateWrite write, SqliteEntryCommit commit)
    {
        var read = session.Statement(SqliteTimelineSql.ReadOwnVersions);
        long below, live;
        try
        {
            read.BindRecord(write.Owner, write.Key);
            _ = read.Step();
            below = read.Int64(0);
            live = read.Int64(1);
        }
        finally
        {
            read.Reset();
        }

        if (!write.IsSatisfiedBy(live))
        {
            return (false, live);
        }

        if (write.Kind == StateWriteKind.Set)
        {
            var version = below + 1;
            AddEntry(session, row.GuildId, row.Next(), TimelineEntryKind.Set, write.Owner, write.Key, live, version, write.Value.Span, isNull: false, commit);
            Upsert(session, write.Owner, write.Key, write.Value.Span, isNull: false, version);
            return (true, version);
        }

        if (live == 0)
        {
            // A delete of an absent record succeeds, changing nothing and logging nothing.
            return (true, 0);
        }

        // A tombstone keeps the version above the one it removed, which the delete answers.
        AddEntry(session, row.GuildId, row.Next(), TimelineEntryKind.Delete, write.Owner, write.Key, live, live + 1, default, isNull: true, commit);
        Upsert(session, write.Owner, write.Key, default, isNull: true, live + 1);
        return (true, live);
    }

    /// <summary>Writes one entry (a prepared statement: nothing allocated); <paramref name="isNull"/> stores NULL for the value.</summary>
    public static void AddEntry(
        SqliteSession session,
        string guildId,
        long sequence,
        TimelineEntryKind kind,
        StateOwner owner,
        string key,
        long previousVersion,
        long version,
        ReadOnlySpan<byte> value,
        bool isNull,
        SqliteEntryCommit commit)
    {
        var statement = session.Statement(SqliteTimelineSql.InsertEntry);
        statement.Bind("$guild", guildId);
        statement.Bind("$seq", sequence);
        statement.Bind("$kind", (long)kind);
        statement.Bind("$scope", (long)owner.Scope);
        statement.Bind("$agent", owner.AgentIdOrEmpty);
        statement.Bind("$key", key);
        statement.Bind("$prev", previousVersion);
        statement.Bind("$version", version);
        statement.Bind("$value", value, isNull);
        statement.Bind("$commit", commit.Id);
        statement.Bind("$timestamp", commit.Timestamp);
        if (commit.Writes is { } writes)
        {
            statement.Bind("$writes", writes);
        }
        else
        {
            statement.BindNull("$writes");
        }

        statement.Execute();
    }

    /// <summary>The 16 bytes an entry stores for <paramref name="id"/>, in <see cref="Guid.ToByteArray()"/> order (zeros for <see cref="CommitId.None"/>).</summary>
    public static byte[] CommitBytes(CommitId id) => id.IsNone ? s_noCommit : id.Value.ToByteArray();

    /// <summary>The version floor of the guild: records created where no state exists start above it.</summary>
    public static long Floor(SqliteSession session, string guildId)
    {
        var command = session.Command(SqliteTimelineSql.ReadFloor, null);
        SqliteSession.Bind(command, "$guild", guildId);
        return SqliteSession.ExecuteVersion(command) ?? 0;
    }

    public static void RaiseFloor(SqliteSession session, string guildId, long floor)
    {
        var command = session.Command(SqliteTimelineSql.RaiseFloorTo, null);
        SqliteSession.Bind(command, "$guild", guildId);
        SqliteSession.Bind(command, "$floor", floor);
        command.ExecuteNonQuery();
    }

    /// <summary>The core hands over whole arrays it never reuses, so they bind without a copy.</summary>
    public static byte[] AsArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    private static void Upsert(SqliteSession session, StateOwner owner, string key, ReadOnlySpan<byte> value, bool isNull, long version)
    {
        var statement = session.Statement(SqliteTimelineSql.Upsert);
        statement.BindRecord(owner, key);
        statement.Bind("$value", value, isNull);
        statement.Bind("$version", version);
        statement.Execute();
    }
}
