using Microsoft.Data.Sqlite;
using TypedState.Storage;

namespace TypedState.Sqlite;

/// <summary>
/// Reads of guild timelines on one session, inside a transaction of the caller (a read snapshot, or the writer's
/// transaction): timeline rows, the refusals they give, and a record's state as of a sequence, read through the chain
/// of timelines a fork was forked from. A fork at f reads its source as of f; the source's state there never changes
/// (its later entries are above f, and a prune never drops below a live fork's point), so nothing is copied.
/// </summary>
internal static class SqliteTimelines
{
    public static SqliteTimelineRow? Read(SqliteSession session, string guildId)
    {
        // Every commit to a guild reads this: a statement that allocates nothing unless the row is there.
        var statement = session.Statement(SqliteTimelineSql.ReadTimeline);
        try
        {
            statement.Bind("$guild", guildId);
            return statement.Step()
                ? new(
                    guildId,
                    statement.Int64(1),
                    statement.IsNull(2) ? null : statement.Int64(2),
                    statement.IsNull(3) ? null : statement.Text(3),
                    statement.Int64(4),
                    statement.Int64(5))
                : null;
        }
        finally
        {
            statement.Reset();
        }
    }

    public static SqliteTimelineRow RowOf(SqliteDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetInt64(4),
            reader.GetInt64(5));

    /// <summary>The guild's timeline, or a <see cref="TimelineFailure.NotStarted"/> refusal.</summary>
    public static SqliteTimelineRow Started(SqliteSession session, string guildId) =>
        Read(session, guildId)
            ?? throw new StateTimelineException(TimelineFailure.NotStarted, guildId, null, $"Guild '{guildId}' has no timeline: it was never started, or the guild was removed.");

    /// <summary>Refuses a sequence beyond the head, or one whose state was pruned (here or, through a fork, in its source).</summary>
    public static void CheckReadable(SqliteSession session, SqliteTimelineRow row, long sequence)
    {
        if (sequence > row.Head)
        {
            throw BeyondHead(row, sequence);
        }

        CheckRetained(session, row, sequence);
    }

    public static void CheckRetained(SqliteSession session, SqliteTimelineRow row, long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        for (var timeline = row; timeline is not null; timeline = Read(session, timeline.ParentId!))
        {
            if (sequence < timeline.RetainedFrom)
            {
                throw new StateTimelineException(
                    TimelineFailure.Pruned,
                    row.GuildId,
                    sequence,
                    $"Sequence {sequence} of guild '{row.GuildId}' was pruned: its state can be read from sequence {timeline.RetainedFrom} on.");
            }

            // Above its fork point a fork reads its source only at the fork point, which a prune never drops.
            if (!timeline.IsFork || sequence > timeline.ForkSequence)
            {
                return;
            }
        }
    }

    public static StateTimelineException BeyondHead(SqliteTimelineRow row, long sequence) =>
        new(TimelineFailure.BeyondHead, row.GuildId, sequence, $"Sequence {sequence} of guild '{row.GuildId}' is beyond its head {row.Head}.");

    /// <summary>
    /// The state a write or a read of a timeline guild finds: the owner's own row (live or tombstone), or for a fork
    /// what it reads through its source, unless the agent was removed in the fork; null when absent everywhere.
    /// </summary>
    public static SqliteChange? Current(SqliteSession session, SqliteTimelineRow row, StateOwner owner, string key)
    {
        var command = session.Command(SqliteSql.Read, null);
        SqliteSession.BindRecord(command, owner, key);
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                return new SqliteChange(reader.IsDBNull(0) ? null : reader.GetFieldValue<byte[]>(0), reader.GetInt64(1));
            }
        }

        if (!row.IsFork || WasRemoved(session, owner) || Read(session, row.ParentId!) is not { } parent)
        {
            return null;
        }

        return AsOf(session, parent, owner.InGuild(parent.GuildId), key, row.ForkSequence);
    }

    /// <summary>Whether the agent was ever removed in its guild's timeline (a fork then no longer reads it through).</summary>
    public static bool WasRemoved(SqliteSession session, StateOwner owner)
    {
        if (owner.Scope != Scope.Agent)
        {
            return false;
        }

        var command = session.Command(SqliteTimelineSql.EverRemoved, null);
        SqliteSession.BindOwner(command, owner);
        return SqliteSession.ExecuteVersion(command) is not null;
    }

    /// <summary>
    /// The record as of <paramref name="sequence"/> (already checked against the head and the horizon) in the timeline
    /// <paramref name="row"/> (<paramref name="owner"/> in its guild): a value, a tombstone, or null when never held.
    /// </summary>
    public static SqliteChange? AsOf(SqliteSession session, SqliteTimelineRow row, StateOwner owner, string key, long sequence)
    {
        while (true)
        {
            if (!row.IsFork || sequence > row.ForkSequence)
            {
                var removedAt = RemovedAt(session, owner, sequence);
                var command = session.Command(SqliteTimelineSql.ChangeAsOf, null);
                SqliteSession.BindRecord(command, owner, key);
                SqliteSession.Bind(command, "$upTo", sequence);
                using (var reader = command.ExecuteReader())
                {
                    if (reader.Read() && reader.GetInt64(0) > removedAt)
                    {
                        return ChangeOf(reader, kind: 1, value: 2, version: 3);
                    }
                }

                if (removedAt > 0 || !row.IsFork)
                {
                    return null;
                }
            }

            if (Read(session, row.ParentId!) is not { } parent)
            {
                return null;
            }

            sequence = Math.Min(sequence, row.ForkSequence);
            owner = owner.InGuild(parent.GuildId);
            row = parent;
        }
    }

    /// <summary>
    /// As <see cref="AsOf"/> for every key of the owner starting with <paramref name="prefix"/>, added to
    /// <paramref name="into"/> unless it holds the key already (a fork's own rows, added first, win).
    /// </summary>
    public static void ListAsOf(SqliteSession session, SqliteTimelineRow row, StateOwner owner, string prefix, long sequence, SortedDictionary<string, SqliteChange> into)
    {
        var upper = StateKeyOrder.PrefixUpperBound(prefix);
        while (true)
        {
            if (!row.IsFork || sequence > row.ForkSequence)
            {
                var removedAt = RemovedAt(session, owner, sequence);
                var command = session.Command(upper is null ? SqliteTimelineSql.ChangesAsOfUnbounded : SqliteTimelineSql.ChangesAsOfBounded, null);
                SqliteSession.BindOwner(command, owner);
                SqliteSession.Bind(command, "$upTo", sequence);
                BindRange(command, prefix, upper);
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        if (reader.GetInt64(1) > removedAt)
                        {
                            into.TryAdd(reader.GetString(0), ChangeOf(reader, kind: 2, value: 3, version: 4));
                        }
                    }
                }

                if (removedAt > 0 || !row.IsFork)
                {
                    return;
                }
            }

            if (Read(session, row.ParentId!) is not { } parent)
            {
                return;
            }

            sequence = Math.Min(sequence, row.ForkSequence);
            owner = owner.InGuild(parent.GuildId);
            row = parent;
        }
    }

    /// <summary>
    /// The owners (scope, agent) that held records in the timeline or the ones it reads through, up to
    /// <paramref name="sequence"/>: the candidates for a fork's owners.
    /// </summary>
    public static void CollectOwners(SqliteSession session, SqliteTimelineRow row, long sequence, HashSet<(Scope Scope, string Agent)> owners)
    {
        for (var timeline = row; timeline is not null; timeline = timeline.IsFork ? Read(session, timeline.ParentId!) : null)
        {
            var command = session.Command(SqliteTimelineSql.OwnersAsOf, null);
            SqliteSession.Bind(command, "$guild", timeline.GuildId);
            SqliteSession.Bind(command, "$upTo", sequence);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    owners.Add(((Scope)reader.GetInt64(0), reader.GetString(1)));
                }
            }

            sequence = Math.Min(sequence, timeline.ForkSequence);
        }
    }

    /// <summary>The sequence an event id was appended at, here or (up to the fork point) in the timelines this one reads through.</summary>
    public static long? FindEvent(SqliteSession session, SqliteTimelineRow row, string id)
    {
        var upTo = row.Head;
        for (var timeline = row; timeline is not null; timeline = timeline.IsFork ? Read(session, timeline.ParentId!) : null)
        {
            var command = session.Command(SqliteTimelineSql.FindEvent, null);
            SqliteSession.Bind(command, "$guild", timeline.GuildId);
            SqliteSession.Bind(command, "$key", id);
            SqliteSession.Bind(command, "$upTo", upTo);
            if (SqliteSession.ExecuteVersion(command) is { } sequence)
            {
                return sequence;
            }

            upTo = Math.Min(upTo, timeline.ForkSequence);
        }

        return null;
    }

    public static void BindRange(SqliteCommand command, string lower, string? upper)
    {
        SqliteSession.Bind(command, "$lower", lower);
        if (upper is not null)
        {
            SqliteSession.Bind(command, "$upper", upper);
        }
    }

    /// <summary>The agent's latest removal at or below <paramref name="sequence"/>; 0 when none (always for a guild owner).</summary>
    public static long RemovedAt(SqliteSession session, StateOwner owner, long sequence)
    {
        if (owner.Scope != Scope.Agent)
        {
            return 0;
        }

        var command = session.Command(SqliteTimelineSql.RemovedAt, null);
        SqliteSession.BindOwner(command, owner);
        SqliteSession.Bind(command, "$upTo", sequence);
        return SqliteSession.ExecuteVersion(command) ?? 0;
    }

    private static SqliteChange ChangeOf(SqliteDataReader reader, int kind, int value, int version) =>
        new(reader.GetInt64(kind) == 0 ? reader.GetFieldValue<byte[]>(value) : null, reader.GetInt64(version));
}
