using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// Commit ids and honest outcomes: a writing commit claims its id first, so a repeat waits for the original and then
// either finds its versions or applies; a commit whose answer was lost after the commit was sent is reported as such.
public sealed partial class PostgresStateDriver
{
    /// <summary>The claim of a commit id for the transaction, with the pruning of expired ids (see <see cref="PostgresSql.ClaimCommit"/>).</summary>
    private NpgsqlBatchCommand ClaimCommand(CommitId commitId)
    {
        var command = new NpgsqlBatchCommand(_sql.ClaimCommit);
        command.Parameters.Add(new NpgsqlParameter<Guid>("commit", commitId.Value));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("retention", _commitIdRetention));
        return command;
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
