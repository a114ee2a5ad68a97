using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// The commit protocol: a single write as one round trip (one implicit transaction), a batch with its fences as an
// explicit transaction of two round trips (PostgresStateDriver.Batch.cs). Commit ids and the honest report of lost
// answers are in PostgresStateDriver.CommitIds.cs.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    /// <remarks>
    /// <para>A writing commit takes its guilds' advisory locks, shared (an owner removal takes them exclusively), and,
    /// with a commit id, claims the id first in the same transaction. It throws <see cref="CommitOutcomeUnknownException"/>
    /// when the connection broke, timed out or was cancelled after the statement that commits was sent; a connection
    /// that cannot be opened, an error the server answered, and anything before the commit's last round trip of a
    /// batch mean nothing was applied.</para>
    /// <para>Not an async method of its own: the checks run here and the commit's state machine is returned, one
    /// for a single write (<see cref="CommitOneAsync"/>), so that a write waiting on the network boxes one state
    /// machine in the driver. An error of the checks is returned in the task, as an async method would.</para>
    /// </remarks>
    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        ValueTask initialization;
        try
        {
            ArgumentNullException.ThrowIfNull(writes);
            ArgumentNullException.ThrowIfNull(fences);
            StateWrite.ThrowIfUnknownKind(writes, acceptAppend: true);
            cancellationToken.ThrowIfCancellationRequested();
            initialization = EnsureInitializedAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<CommitResult>(ex);
        }

        return initialization.IsCompletedSuccessfully
            ? CommitInitializedAsync(writes, fences, commitId, cancellationToken)
            : CommitAfterInitializationAsync(initialization, writes, fences, commitId, cancellationToken);
    }

    /// <summary>The first commits, which wait for the schema to be created or upgraded.</summary>
    private async ValueTask<CommitResult> CommitAfterInitializationAsync(ValueTask initialization, IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        await initialization.ConfigureAwait(false);
        return await CommitInitializedAsync(writes, fences, commitId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The commit once the schema is there: an empty batch answered at once, a batch of a guild known to keep a
    /// timeline on the logged path (<see cref="CommitLoggedAttemptsAsync"/>), any other in one state machine with its
    /// attempts: a single write by <see cref="CommitOneAsync"/>, a batch or fences by <see cref="CommitBatchAsync"/>.
    /// </summary>
    private ValueTask<CommitResult> CommitInitializedAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        if (writes.Count == 0 && fences.Count == 0)
        {
            return new ValueTask<CommitResult>(CommitResult.Success([]));
        }

        // A batch for a guild that keeps a timeline takes the logged path. The unlogged one refuses such a guild
        // (its guard, PostgresSql.GuildIsLogged) before anything applies, so a timeline another process started is
        // never missed; the guilds this driver knows to keep one skip that refused attempt.
        if (NeedsLoggedPath(writes))
        {
            return CommitLoggedAttemptsAsync(writes, fences, commitId, cancellationToken);
        }

        return writes.Count == 1 && fences.Count == 0
            ? CommitOneAsync(writes, commitId, cancellationToken)
            : CommitBatchAsync(writes, fences, commitId, cancellationToken);
    }

    /// <summary>
    /// A batch on the logged path, attempted until it is decided: each attempt first tries the common batch in one
    /// round trip (<see cref="CommitLoggedInOneAsync"/>); a refusal there applied nothing, and the two-round-trip path
    /// (<see cref="CommitLoggedAsync"/>) finds and reports it. A deadlock that applied nothing is tried again.
    /// </summary>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private async ValueTask<CommitResult> CommitLoggedAttemptsAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == MaxAttempts;
            try
            {
                if (FitsOneRoundTrip(writes, fences))
                {
                    var (declined, result) = await CommitLoggedInOneAsync(writes, commitId, last, cancellationToken).ConfigureAwait(false);
                    if (!declined)
                    {
                        if (result is { } decided)
                        {
                            return decided;
                        }

                        continue;
                    }
                }

                if (await CommitLoggedAsync(writes, fences, commitId, last, cancellationToken).ConfigureAwait(false) is { } done)
                {
                    return done;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && !last)
            {
                LogRetried(ex.SqlState, attempt);
            }
        }
    }

    /// <summary>Whether a batch appends, or writes to a guild this driver knows to keep a timeline.</summary>
    private bool NeedsLoggedPath(IReadOnlyList<StateWrite> writes)
    {
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (write.Kind == StateWriteKind.Append || (write.Owner.Scope != Scope.Global && !_loggedGuilds.IsEmpty && _loggedGuilds.ContainsKey(write.Owner.GuildIdOrEmpty)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A single write: one round trip, one implicit transaction of up to three statements: the guild's shared
    /// advisory lock, now and then the pruning of expired commit ids, and the write, which with a commit id also
    /// remembers the id and its version. Attempted again when the condition failed but the record changed again
    /// before its live version could be read, so that it now holds, when a repeat found its id gone, and after a
    /// deadlock; a guild found to keep a timeline sends the write down the logged path (<see cref="CommitLoggedAttemptsAsync"/>).
    /// The attempts and the write are one async method: one state machine per write.
    /// </summary>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private async ValueTask<CommitResult> CommitOneAsync(IReadOnlyList<StateWrite> writes, CommitId commitId, CancellationToken cancellationToken)
    {
        var write = writes[0];
        var remembering = !commitId.IsNone;
        var sql = WriteStatement(write, remembering);
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == MaxAttempts;
            try
            {
                if (sql is null)
                {
                    // A check, or a delete that requires absence: nothing to write, only the condition to verify (after the
                    // guard, as a paused guild refuses checks too and a fork's checks read through its source).
                    var live = await GuardedLiveVersionAsync(write, cancellationToken).ConfigureAwait(false);
                    return write.IsSatisfiedBy(live) ? CommitResult.Success([live]) : CommitResult.Conflict(0, live);
                }

                // Failing to open a connection applies nothing: the exception passes as it is.
                await using var lease = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
                var connection = lease.Connection;
                var prune = remembering ? TakePruneTurn() : null;
                Outcome outcome;
                var batch = _commands.RentBatch(connection);
                try
                {
                    if (write.Owner.Scope != Scope.Global)
                    {
                        AddWritingGuildLock(batch, write.Owner.GuildIdOrEmpty);
                    }

                    if (prune is not null)
                    {
                        batch.BatchCommands.Add(prune);
                    }

                    var parameters = PostgresCommandPool.Add(batch, sql);
                    var next = PostgresParameters.AddWrite(parameters, write, _jsonbWrites);
                    if (remembering)
                    {
                        AddCommitId(parameters, next, commitId);
                    }

                    // The reader moves over the statements that return results: the guild's lock and refusal, then the write.
                    await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (write.Owner.Scope != Scope.Global)
                        {
                            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                        }

                        outcome = await ReadOutcomeAsync(reader, cancellationToken).ConfigureAwait(false);
                    }

                    PrunedOrNot(prune, committed: true);
                    _commands.Return(batch);
                }
                catch (PostgresException ex) when (IsRepeatedClaim(ex))
                {
                    PrunedOrNot(prune, committed: false);
                    if (await RecallAsync(connection, commitId, last, cancellationToken).ConfigureAwait(false) is { } recalled)
                    {
                        return recalled;
                    }

                    continue;
                }
                catch (Exception ex) when (MayHaveCommitted(ex))
                {
                    // The statements were sent in one implicit transaction, committed when the server reached its end.
                    PrunedOrNot(prune, committed: false);
                    throw Lost(ex);
                }
                catch
                {
                    PrunedOrNot(prune, committed: false);
                    throw;
                }

                if (await DecideAsync(connection, write, commitId, outcome, last, cancellationToken).ConfigureAwait(false) is { } decided)
                {
                    return decided;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresSql.GuildIsLogged)
            {
                _loggedGuilds[LoggedGuildOf(ex)] = true;
                return await CommitLoggedAttemptsAsync(writes, [], commitId, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && !last)
            {
                LogRetried(ex.SqlState, attempt);
            }
        }
    }

    /// <summary>
    /// The result of a single write from its statement's outcome. Null asks for another attempt: the condition
    /// failed, but the record changed again before its live version could be read, so that it now holds.
    /// </summary>
    private ValueTask<CommitResult?> DecideAsync(NpgsqlConnection connection, StateWrite write, CommitId commitId, Outcome outcome, bool last, CancellationToken cancellationToken)
    {
        if (outcome.Written is { } version)
        {
            return new(CommitResult.Success([version]));
        }

        // No row changed: an unconditional delete of an absent key succeeded as a no-op; a write its original already
        // applied returns what the original did; anything else conflicted.
        if (write is { Kind: StateWriteKind.Delete, ExpectedVersion: null })
        {
            return new(CommitResult.Success([0]));
        }

        return new(DecideConflictAsync(connection, write, commitId, last, cancellationToken));
    }

    /// <summary>As <see cref="DecideAsync"/>, for a write that changed no row: reads what made it fail.</summary>
    private async Task<CommitResult?> DecideConflictAsync(NpgsqlConnection connection, StateWrite write, CommitId commitId, bool last, CancellationToken cancellationToken)
    {
        var (found, recalled) = !commitId.IsNone
            ? await LiveVersionOrRememberedAsync(connection, write, commitId, cancellationToken).ConfigureAwait(false)
            : (await LiveVersionAsync(connection, write, cancellationToken).ConfigureAwait(false), null);
        if (recalled is not null)
        {
            LogRepeated(commitId);
            return CommitResult.Success(recalled);
        }

        return write.IsSatisfiedBy(found) && !last ? null : CommitResult.Conflict(0, found);
    }

    /// <summary>
    /// The statement that applies a write, or null when the entry writes nothing (a check, or a delete requiring
    /// absence). With <paramref name="remembering"/>, the statement also stores its version under the commit id
    /// claimed earlier in its transaction (a single write's).
    /// </summary>
    private string? WriteStatement(StateWrite write, bool remembering = false) =>
        WriteStatementOfAnyKey(write, remembering) is { } sql ? ForKey(sql, write.Key) : null;

    /// <summary>As <see cref="WriteStatement"/>, in the form for keys of any length.</summary>
    private string? WriteStatementOfAnyKey(StateWrite write, bool remembering) => (write.Kind, write.ExpectedVersion) switch
    {
        (StateWriteKind.Set, null) => remembering ? _sql.RememberingSetAny : _sql.SetAny,
        (StateWriteKind.Set, 0) => remembering ? _sql.RememberingSetIfAbsent : _sql.SetIfAbsent,
        (StateWriteKind.Set, _) => remembering ? _sql.RememberingSetIfVersion : _sql.SetIfVersion,
        (StateWriteKind.Delete, null) => remembering ? _sql.RememberingDeleteAny : _sql.DeleteAny,
        (StateWriteKind.Delete, 0) => null,
        (StateWriteKind.Delete, _) => remembering ? _sql.RememberingDeleteIfVersion : _sql.DeleteIfVersion,
        (StateWriteKind.Check, _) => null,
        _ => throw new UnreachableException("Write kinds are checked before the batch is applied."),
    };

    /// <summary>Reads a statement's one row, if any: the version written (or checked, or the fence's token).</summary>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private static async ValueTask<Outcome> ReadOutcomeAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return default;
        }

        return new Outcome(reader.IsDBNull(0) ? null : reader.GetInt64(0));
    }

    /// <summary>The live version of a record (0 when absent or deleted), on <paramref name="connection"/> or a pooled one.</summary>
    private async Task<long> LiveVersionAsync(NpgsqlConnection? connection, StateWrite write, CancellationToken cancellationToken)
    {
        await using var command = connection is null ? _dataSource.CreateCommand(_sql.LiveVersion) : new NpgsqlCommand(_sql.LiveVersion, connection);
        PostgresParameters.AddRecord(command.Parameters, write.Owner, write.Key);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : 0;
    }

    /// <summary>
    /// The live version of a record for a check outside a transaction, after the guard that refuses a guild keeping
    /// a timeline (<see cref="PostgresSql.GuildIsLogged"/>), in one round trip.
    /// </summary>
    private async Task<long> GuardedLiveVersionAsync(StateWrite write, CancellationToken cancellationToken)
    {
        if (write.Owner.Scope == Scope.Global)
        {
            return await LiveVersionAsync(null, write, cancellationToken).ConfigureAwait(false);
        }

        await using var batch = _dataSource.CreateBatch();
        AddLoggedGuildRefusal(batch, write.Owner.GuildIdOrEmpty);
        var read = new NpgsqlBatchCommand(_sql.LiveVersion);
        PostgresParameters.AddRecord(read.Parameters, write.Owner, write.Key);
        batch.BatchCommands.Add(read);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetInt64(0) : 0;
    }

    /// <summary>A guild's advisory lock (<see cref="PostgresSql.LockGuildShared"/> or exclusive), named after the schema and the guild.</summary>
    private NpgsqlBatchCommand GuildLock(string sql, string guildId)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("lock", GuildLockName(guildId)));
        return command;
    }

    /// <summary>
    /// Adds the guard of an unlogged commit that writes: two statements, the guild's shared advisory lock and the
    /// refusal of a guild that keeps a timeline (<see cref="AddLoggedGuildRefusal"/>), each returning a result.
    /// </summary>
    private void AddWritingGuildLock(NpgsqlBatch batch, string guildId)
    {
        PostgresParameters.Set(PostgresCommandPool.Add(batch, _sql.LockWritingGuild), 0, guildId);
        AddLoggedGuildRefusal(batch, guildId);
    }

    /// <summary>
    /// Adds the refusal, with <see cref="PostgresSql.GuildIsLogged"/>, of a guild that keeps a timeline: alone, the
    /// guard of a batch that only checks. One result, empty unless it raised.
    /// </summary>
    private void AddLoggedGuildRefusal(NpgsqlBatch batch, string guildId) =>
        PostgresParameters.Set(PostgresCommandPool.Add(batch, _sql.RefuseLoggedGuild), 0, guildId);

    /// <summary>The text hashed into a guild's advisory lock key: schema and guild id (ids cannot hold U+001F).</summary>
    private string GuildLockName(string guildId) => _sql.Schema + "\u001F" + guildId;

    /// <summary>The order rows are locked in: owner (scope, guild, agent), then key, the same for every client.</summary>
    private static int CompareRecords(StateWrite a, StateWrite b)
    {
        // As integers: Enum.CompareTo boxes both sides.
        var order = ((int)a.Owner.Scope).CompareTo((int)b.Owner.Scope);
        if (order == 0)
        {
            order = StateKeyOrder.Comparer.Compare(a.Owner.GuildIdOrEmpty, b.Owner.GuildIdOrEmpty);
        }

        if (order == 0)
        {
            order = StateKeyOrder.Comparer.Compare(a.Owner.AgentIdOrEmpty, b.Owner.AgentIdOrEmpty);
        }

        return order != 0 ? order : StateKeyOrder.Comparer.Compare(a.Key, b.Key);
    }

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "Retrying a PostgreSQL commit that applied nothing (SQLSTATE {SqlState}, attempt {Attempt})")]
    private partial void LogRetried(string? sqlState, int attempt);

    /// <summary>
    /// What one statement of a commit returned: the version it wrote (or checked), or nothing when it changed no row
    /// (a refused write reads what refused it afterwards, in a statement of its own).
    /// </summary>
    private readonly record struct Outcome(long? Written);
}
