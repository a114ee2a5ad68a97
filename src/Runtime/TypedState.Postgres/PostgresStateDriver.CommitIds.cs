using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// Commit ids and honest outcomes: a writing commit remembers its id in its own transaction, so a repeat waits for the
// original and then either finds its versions or applies; a commit whose answer was lost after it was sent is reported
// as such.
public sealed partial class PostgresStateDriver
{
    /// <summary>How often, at most, a driver prunes expired commit ids when the last prune left none behind.</summary>
    private static readonly long s_pruneInterval = System.Diagnostics.Stopwatch.Frequency;

    /// <summary>
    /// When this driver's next commit with an id prunes expired ids (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp; 0: the next one). Pruning a few hundred ids once a second, in a commit's own round trip, costs a
    /// commit far less than probing the expiry index on every commit; a prune that found a full batch to delete (or
    /// failed) leaves the next commit to prune again, so a backlog drains at up to that many ids per commit.
    /// </summary>
    private long _nextPrune;

    /// <summary>Adds the claim of a batch's commit id, the first statement of its transaction (see <see cref="PostgresSql.ClaimCommit"/>).</summary>
    private void AddClaim(NpgsqlBatch batch, CommitId commitId)
    {
        var parameters = PostgresCommandPool.Add(batch, _sql.ClaimCommit);
        PostgresParameters.Set(parameters, 0, commitId.Value);
        PostgresParameters.Set(parameters, 1, _commitIdRetention);
    }

    /// <summary>The commit id and its retention, as the last positional parameters (from <paramref name="next"/>) of a remembering single write.</summary>
    private void AddCommitId(NpgsqlParameterCollection parameters, int next, CommitId commitId)
    {
        PostgresParameters.Set(parameters, next, commitId.Value);
        PostgresParameters.Set(parameters, next + 1, _commitIdRetention);
    }

    /// <summary>The pruning statement when it is this commit's turn (one commit of the driver at a time), otherwise null.</summary>
    private NpgsqlBatchCommand? TakePruneTurn()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var next = Volatile.Read(ref _nextPrune);
        return now >= next && Interlocked.CompareExchange(ref _nextPrune, now + s_pruneInterval, next) == next
            ? new NpgsqlBatchCommand(_sql.PruneCommits)
            : null;
    }

    /// <summary>After a commit that pruned: prune again at the next commit if this prune was full or did not take effect.</summary>
    private void PrunedOrNot(NpgsqlBatchCommand? prune, bool committed)
    {
        if (prune is not null && (!committed || prune.Rows >= PostgresSql.PruneLimit))
        {
            Volatile.Write(ref _nextPrune, 0);
        }
    }

    /// <summary>
    /// After a single write with a commit id changed no row: the live version, and the versions remembered for the
    /// id, if its original applied.
    /// </summary>
    private async Task<(long Live, long[]? Remembered)> LiveVersionOrRememberedAsync(NpgsqlConnection connection, StateWrite write, CommitId commitId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_sql.LiveVersionOrRemembered, connection);
        PostgresParameters.AddRecord(command.Parameters, write.Owner, write.Key);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = commitId.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<long[]>(1));
    }

    /// <summary>Whether the claim of a commit id failed because a committed transaction holds the id: the batch is a repeat.</summary>
    private static bool IsRepeatedClaim(PostgresException error) =>
        error.SqlState == PostgresErrorCodes.UniqueViolation && error.ConstraintName == PostgresSql.CommitIdIndex;

    /// <summary>
    /// The result remembered for a repeated commit id, read on <paramref name="connection"/> (idle again after the
    /// failed claim). Null asks for another attempt: the id was pruned meanwhile (it outlived its retention), so the
    /// batch is applied as a new one.
    /// </summary>
    private async Task<CommitResult?> RecallAsync(NpgsqlConnection connection, CommitId commitId, bool last, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_sql.RecallCommit, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("commit", commitId.Value));
        var versions = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long[];
        if (versions is not null)
        {
            LogRepeated(commitId);
            return CommitResult.Success(versions);
        }

        return last
            ? throw new InvalidOperationException($"The commit id {commitId} was claimed by a committed transaction but its result is gone.")
            : null;
    }

    /// <summary>
    /// Whether a failure after the statements that commit were sent may have left them committed: the connection broke
    /// or timed out (an NpgsqlException that is not a server error), the wait was cancelled, or the server ended the
    /// session (FATAL). An ERROR the server answered rolled the transaction back; anything else (a client-side error
    /// before sending) applied nothing.
    /// </summary>
    private static bool MayHaveCommitted(Exception exception) => exception switch
    {
        PostgresException server => server.Severity is "FATAL" or "PANIC",
        NpgsqlException or OperationCanceledException or IOException or TimeoutException => true,
        _ => false,
    };

    private static CommitOutcomeUnknownException Lost(Exception exception) => new(
        "The PostgreSQL commit was sent, but its answer was lost (the connection broke, timed out or the wait was cancelled): it may or may not have been applied.",
        exception);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 205, Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "A PostgreSQL commit repeated under commit id {CommitId} was applied before: returning its remembered versions")]
    private partial void LogRepeated(CommitId commitId);
}
