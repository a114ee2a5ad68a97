using TypedState.Timeline;

namespace TypedState.Sqlite;

// Detaching a fork, in one write transaction: what it reads through its source chain as of its fork point becomes its
// own (the changes as entries at their sequences, the records as rows), and the link goes. A failure rolls it all back.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    /// <remarks>O(records read through): one copy statement per owner and level of the chain, then one for the rows.</remarks>
    public ValueTask<GuildTimeline> DetachAsync(string forkGuildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(forkGuildId);
        cancellationToken.ThrowIfCancellationRequested();
        return new(Writer.Run(
            forkGuildId,
            static (session, guildId) =>
            {
                var row = SqliteTimelines.Started(session, guildId);
                if (!row.IsFork || SqliteTimelines.Read(session, row.ParentId!) is not { } source)
                {
                    throw new StateTimelineException(
                        TimelineFailure.NotAFork, guildId, row.Head, $"Guild '{guildId}' was not detached: its timeline is not a fork, so there is no source to detach it from.");
                }

                var point = row.ForkSequence;
                ThrowIfForkedBelow(session, guildId, point);
                var owners = new HashSet<(Scope Scope, string Agent)>();
                SqliteTimelines.CollectOwners(session, source, point, owners);
                foreach (var (scope, agent) in owners)
                {
                    CopyAsOf(session, source, StateOwner.FromStored(scope, source.GuildId, agent), point, guildId);
                }

                foreach (var sql in (ReadOnlySpan<string>)[SqliteTimelineSql.CopyInheritedRecords, SqliteSnapshotSql.PruneSnapshots, SqliteSnapshotSql.PrunePins, SqliteTimelineSql.Detach])
                {
                    var command = session.Command(sql, null);
                    SqliteSession.Bind(command, "$guild", guildId);
                    SqliteSession.Bind(command, "$horizon", point);
                    command.ExecuteNonQuery();
                }

                return (SqliteTimelines.Started(session, guildId).Describe(), true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));
    }

    private static void ThrowIfForkedBelow(SqliteSession session, string guildId, long point)
    {
        var below = session.Command(SqliteTimelineSql.ForkBelow, null);
        SqliteSession.Bind(below, "$guild", guildId);
        SqliteSession.Bind(below, "$horizon", point);
        using var reader = below.ExecuteReader();
        if (reader.Read())
        {
            var (fork, forkSequence) = (reader.GetString(0), reader.GetInt64(1));
            throw new StateTimelineException(
                TimelineFailure.HasForks,
                guildId,
                point,
                $"Guild '{guildId}' was not detached: its fork '{fork}' was forked at sequence {forkSequence}, below its fork point {point}, and reads its source through it there. Detach '{fork}' first (IGuildTimelines.DetachAsync).");
        }
    }

    /// <summary>
    /// Copies into the fork the owner's changes as of <paramref name="point"/>, walking the chain from
    /// <paramref name="row"/> as <see cref="SqliteTimelines.ListAsOf"/> reads it: a shallower level's change wins, and a
    /// level where the agent was removed hides the deeper ones.
    /// </summary>
    private static void CopyAsOf(SqliteSession session, SqliteTimelineRow row, StateOwner owner, long point, string forkGuildId)
    {
        var sequence = point;
        while (true)
        {
            if (!row.IsFork || sequence > row.ForkSequence)
            {
                var removedAt = SqliteTimelines.RemovedAt(session, owner, sequence);
                var command = session.Command(SqliteTimelineSql.CopyChangesAsOf, null);
                SqliteSession.BindOwner(command, owner);
                SqliteSession.Bind(command, "$upTo", sequence);
                SqliteSession.Bind(command, "$removed", removedAt);
                SqliteSession.Bind(command, "$fork", forkGuildId);
                SqliteSession.Bind(command, "$point", point);
                command.ExecuteNonQuery();
                if (removedAt > 0 || !row.IsFork)
                {
                    return;
                }
            }

            if (SqliteTimelines.Read(session, row.ParentId!) is not { } parent)
            {
                return;
            }

            sequence = Math.Min(sequence, row.ForkSequence);
            owner = owner.InGuild(parent.GuildId);
            row = parent;
        }
    }
}
