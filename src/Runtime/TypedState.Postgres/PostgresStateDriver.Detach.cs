using Npgsql;
using TypedState.Timeline;

namespace TypedState.Postgres;

// Detaching a fork: one explicit transaction under the fork's exclusive advisory lock (no commit of the fork runs
// meanwhile) and its timeline row lock (no fork of it is made meanwhile). What it reads through its source chain as of
// its fork point is copied into its own entries and rows, and the link goes; a failure rolls it all back.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    /// <remarks>Three round trips and O(records read through): the copy is two INSERT … SELECT statements on the server.</remarks>
    public async ValueTask<GuildTimeline> DetachAsync(string forkGuildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(forkGuildId);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        GuildTimeline fork;
        (string Guild, long Sequence)? below = null;
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(GuildLock(PostgresSql.LockGuildExclusive, forkGuildId));
            batch.BatchCommands.Add(GuildCommand(_sql.LockTimeline, forkGuildId));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            fork = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadTimelineRow(reader) : throw NotStarted(forkGuildId);
        }

        if (fork.ForkedFrom is null)
        {
            throw new StateTimelineException(
                TimelineFailure.NotAFork, forkGuildId, fork.Head, $"Guild '{forkGuildId}' was not detached: its timeline is not a fork, so there is no source to detach it from.");
        }

        var point = fork.ForkSequence;
        await using (var check = new NpgsqlBatch(connection, transaction))
        {
            check.BatchCommands.Add(DetachCommand(_sql.ForkBelow, fork));
            await using var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                below = (reader.GetString(0), reader.GetInt64(1));
            }
        }

        if (below is var (early, earlySequence))
        {
            throw new StateTimelineException(
                TimelineFailure.HasForks,
                forkGuildId,
                point,
                $"Guild '{forkGuildId}' was not detached: its fork '{early}' was forked at sequence {earlySequence}, below its fork point {point}, and reads its source through it there. Detach '{early}' first (IGuildTimelines.DetachAsync).");
        }

        GuildTimeline detached;
        await using (var copy = new NpgsqlBatch(connection, transaction))
        {
            foreach (var sql in (ReadOnlySpan<string>)[_sql.CopyInheritedEntries, _sql.CopyInheritedRecords, _sql.DropBelowForkPoint, _sql.DetachTimeline])
            {
                copy.BatchCommands.Add(DetachCommand(sql, fork));
            }

            // The statements before the update return no rows, so its row is the reader's first result.
            await using var reader = await copy.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            detached = ReadTimelineRow(reader);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _forkGuilds.TryRemove(forkGuildId, out _);
        return detached;
    }

    /// <summary>A statement of a detach, with the fork (@guild), its fork point (@at) and its source (@parent).</summary>
    private static NpgsqlBatchCommand DetachCommand(string sql, GuildTimeline fork)
    {
        var command = GuildCommand(sql, fork.GuildId);
        command.Parameters.Add(new NpgsqlParameter<long>("at", fork.ForkSequence));
        command.Parameters.Add(new NpgsqlParameter<string>("parent", fork.ForkedFrom!));
        return command;
    }
}
