using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Sqlite;

/// <summary>
/// What removing an owner does to its guild's timeline, inside the removal's write transaction: a guild with live
/// forks is not removed; a fork's removed owner raises the guild's version floor above what it read through its
/// source too (so versions never repeat); a removed guild's timeline goes with its entries, snapshots and pins, and a
/// removed agent is an entry.
/// </summary>
internal static class SqliteTimelineRemoval
{
    private const int ForksNamed = 10;

    /// <summary>Checks and floors before the rows are deleted; returns the guild's timeline, or null.</summary>
    public static SqliteTimelineRow? Prepare(SqliteSession session, StateOwner owner)
    {
        var row = SqliteTimelines.Read(session, owner.GuildIdOrEmpty);
        if (row is null)
        {
            return null;
        }

        if (owner.Scope == Scope.Guild && ForksOf(session, row.GuildId) is { Count: > 0 } forks)
        {
            throw new StateTimelineException(
                TimelineFailure.HasForks,
                row.GuildId,
                row.Head,
                $"The guild was not removed: its timeline has live forks ({string.Join(", ", forks)}{(forks.Count == ForksNamed ? ", …" : string.Empty)}) that still read through it. Detach them first (IGuildTimelines.DetachAsync), or remove them.");
        }

        if (row.IsFork && !SqliteTimelines.WasRemoved(session, owner) && HighestInherited(session, row, owner) is > 0 and var inherited)
        {
            SqliteTimelineWrites.RaiseFloor(session, row.GuildId, inherited);
        }

        return row;
    }

    /// <summary>After the rows are deleted: a guild's timeline and entries go (detaching it from its source); an agent's removal is an entry.</summary>
    public static void Complete(SqliteSession session, SqliteTimelineRow row, StateOwner owner, long timestamp, TimeSpan commitIdRetention)
    {
        if (owner.Scope == Scope.Guild)
        {
            // The commit ids its entries keep outlive them, for their retention.
            SqliteLoggedCommits.HandOver(session, row.GuildId, long.MaxValue, timestamp, commitIdRetention);
            foreach (var sql in (ReadOnlySpan<string>)[SqliteTimelineSql.DeleteEntries, SqliteSnapshotSql.DeleteSnapshots, SqliteSnapshotSql.DeletePins, SqliteTimelineSql.DeleteTimeline])
            {
                var command = session.Command(sql, null);
                SqliteSession.Bind(command, "$guild", row.GuildId);
                command.ExecuteNonQuery();
            }

            return;
        }

        SqliteTimelineWrites.AddEntry(
            session, row.GuildId, row.Next(), TimelineEntryKind.RemoveOwner, owner, string.Empty, 0, 0, default, isNull: true, SqliteEntryCommit.None(timestamp));
    }

    /// <summary>The first forks of the guild, enough to name in a refusal (a guild may have very many).</summary>
    public static List<string> ForksOf(SqliteSession session, string guildId)
    {
        var command = session.Command(SqliteTimelineSql.ListForksPage, null);
        SqliteSession.Bind(command, "$guild", guildId);
        SqliteSession.Bind(command, "$after", string.Empty);
        SqliteSession.Bind(command, "$limit", (long)ForksNamed);
        var forks = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            forks.Add(reader.GetString(0));
        }

        return forks;
    }

    /// <summary>The highest version (tombstones included) the owner — a guild: any of its owners — reads through its fork's source.</summary>
    private static long HighestInherited(SqliteSession session, SqliteTimelineRow fork, StateOwner owner)
    {
        if (SqliteTimelines.Read(session, fork.ParentId!) is not { } parent)
        {
            return 0;
        }

        var owners = new HashSet<(Scope Scope, string Agent)>();
        if (owner.Scope == Scope.Guild)
        {
            SqliteTimelines.CollectOwners(session, parent, fork.ForkSequence, owners);
        }
        else
        {
            owners.Add((owner.Scope, owner.AgentIdOrEmpty));
        }

        var highest = 0L;
        foreach (var (scope, agent) in owners)
        {
            var records = new SortedDictionary<string, SqliteChange>(StateKeyOrder.Comparer);
            SqliteTimelines.ListAsOf(session, parent, StateOwner.FromStored(scope, parent.GuildId, agent), string.Empty, fork.ForkSequence, records);
            foreach (var change in records.Values)
            {
                highest = Math.Max(highest, change.Version);
            }
        }

        return highest;
    }
}
