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

    // The write counts entries keep, boxed once for the usual small batches.
    private static readonly object[] s_writeCounts = [.. Enumerable.Range(0, 17).Select(static n => (object)(long)n)];

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
            AddEntry(session, row.GuildId, sequence, TimelineEntryKind.Append, write.Owner, write.Key, 0, sequence, AsArray(write.Value), commit);
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
                var value = AsArray(write.Value);
                Upsert(session, write.Owner, write.Key, value, version);
                AddEntry(session, row.GuildId, row.Next(), TimelineEntryKind.Set, write.Owner, write.Key, live, version, value, commit);
                return (true, version);
            case StateWriteKind.Delete when live > 0:
                // A tombstone keeps the version, and in a fork hides what the source holds.
                Upsert(session, write.Owner, write.Key, null, live + 1);
                AddEntry(session, row.GuildId, row.Next(), TimelineEntryKind.Delete, write.Owner, write.Key, live, live + 1, null, commit);
                return (true, live);
            default:
                // A check, or a delete of an absent record: nothing changes, nothing is logged.
                return (true, live);
        }
    }

    /// <summary>
    /// A set or delete in a timeline that is no fork: the record's own row is its whole state, so the entry is written
    /// by one statement that checks the condition against the row (SqliteTimelineSql.LogSet), then the record.
    /// </summary>
    private static (bool Applied, long Version) ApplyToOwnRow(SqliteSession session, SqliteTimelineRow row, StateWrite write, SqliteEntryCommit commit)
    {
        var isSet = write.Kind == StateWriteKind.Set;
        var value = isSet ? write.Value.Span : default;
        var statement = session.Statement(isSet ? SqliteTimelineSql.LogSet : SqliteTimelineSql.LogDelete);
        statement.BindRecord(write.Owner, write.Key);
        statement.Bind("$seq", row.Head + 1);
        statement.Bind("$kind", (long)(isSet ? TimelineEntryKind.Set : TimelineEntryKind.Delete));
        if (write.ExpectedVersion is { } expected)
        {
            statement.Bind("$expected", expected);
        }
        else
        {
            statement.BindNull("$expected");
        }

        statement.Bind("$value", value, isNull: !isSet);
        statement.Bind("$commit", commit.Id);
        statement.Bind("$timestamp", commit.Timestamp);
        if (commit.Writes is long writes)
        {
            statement.Bind("$writes", writes);
        }
        else
        {
            statement.BindNull("$writes");
        }

        if (statement.ExecuteVersion() is not { } version)
        {
            // Nothing logged: a failed condition, or a delete of an absent record (which succeeds, changing nothing).
            var live = SqliteTimelines.Current(session, row, write.Owner, write.Key)?.LiveVersion ?? 0;
            return (!isSet && live == 0 && write.IsSatisfiedBy(0), live);
        }

        _ = row.Next();
        var upsert = session.Statement(SqliteTimelineSql.Upsert);
        upsert.BindRecord(write.Owner, write.Key);
        upsert.Bind("$value", value, isNull: !isSet);
        upsert.Bind("$version", version);
        upsert.Execute();

        // A delete answers the version it removed; the tombstone keeps the one above it.
        return (true, isSet ? version : version - 1);
    }

    public static void AddEntry(
        SqliteSession session,
        string guildId,
        long sequence,
        TimelineEntryKind kind,
        StateOwner owner,
        string key,
        long previousVersion,
        long version,
        byte[]? value,
        SqliteEntryCommit commit)
    {
        var command = session.Command(SqliteTimelineSql.InsertEntry, null);
        SqliteSession.Bind(command, "$guild", guildId);
        SqliteSession.Bind(command, "$seq", sequence);
        SqliteSession.Bind(command, "$kind", (long)kind);
        SqliteSession.Bind(command, "$scope", (long)owner.Scope);
        SqliteSession.Bind(command, "$agent", owner.AgentIdOrEmpty);
        SqliteSession.Bind(command, "$key", key);
        SqliteSession.Bind(command, "$prev", previousVersion);
        SqliteSession.Bind(command, "$version", version);
        SqliteSession.Bind(command, "$value", value is null ? DBNull.Value : value);
        BindCommit(command, commit);
        command.ExecuteNonQuery();
    }

    /// <summary>The boxed write count an entry keeps when its commit's id is kept by its entries.</summary>
    public static object WriteCount(int count) => count < s_writeCounts.Length ? s_writeCounts[count] : (long)count;

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

    private static void BindCommit(Microsoft.Data.Sqlite.SqliteCommand command, SqliteEntryCommit commit)
    {
        SqliteSession.Bind(command, "$commit", commit.Id);
        SqliteSession.Bind(command, "$timestamp", commit.Timestamp);
        SqliteSession.Bind(command, "$writes", commit.Writes);
    }

    /// <summary>The core hands over whole arrays it never reuses, so they bind without a copy.</summary>
    public static byte[] AsArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    private static void Upsert(SqliteSession session, StateOwner owner, string key, byte[]? value, long version)
    {
        var command = session.Command(SqliteTimelineSql.Upsert, null);
        SqliteSession.BindRecord(command, owner, key);
        SqliteSession.Bind(command, "$value", value is null ? DBNull.Value : value);
        SqliteSession.Bind(command, "$version", version);
        command.ExecuteNonQuery();
    }
}
