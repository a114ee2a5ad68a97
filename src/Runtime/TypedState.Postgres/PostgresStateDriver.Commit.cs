using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// The commit protocol: a single write as one conditional statement, a batch with its fences as one round trip.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    public async ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        if (writes.Count == 0 && fences.Count == 0)
        {
            return CommitResult.Success([]);
        }

        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == MaxAttempts;
            try
            {
                var result = writes.Count == 1 && fences.Count == 0
                    ? await CommitOneAsync(writes[0], last, cancellationToken).ConfigureAwait(false)
                    : await CommitBatchAsync(writes, fences, last, cancellationToken).ConfigureAwait(false);
                if (result is { } done)
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

    /// <summary>
    /// A single write: one statement, committed on its own. Null asks for another attempt: the condition failed,
    /// but the record changed again before its live version could be read, so that it now holds.
    /// </summary>
    private async Task<CommitResult?> CommitOneAsync(StateWrite write, bool last, CancellationToken cancellationToken)
    {
        var sql = WriteStatement(write);
        if (sql is null)
        {
            // A check, or a delete that requires absence: nothing to write, only the condition to verify.
            var live = await LiveVersionAsync(null, write, cancellationToken).ConfigureAwait(false);
            return write.IsSatisfiedBy(live) ? CommitResult.Success([live]) : CommitResult.Conflict(0, live);
        }

        Outcome outcome;
        await using (var command = _dataSource.CreateCommand(sql))
        {
            PostgresParameters.AddWrite(command.Parameters, write, _jsonbWrites);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            outcome = await ReadOutcomeAsync(reader, cancellationToken).ConfigureAwait(false);
        }

        if (outcome.Written is { } version)
        {
            return CommitResult.Success([version]);
        }

        // No row changed: an unconditional delete of an absent key succeeded as a no-op; anything else conflicted.
        if (write is { Kind: StateWriteKind.Delete, ExpectedVersion: null })
        {
            return CommitResult.Success([0]);
        }

        var found = await FailedVersionAsync(null, write, outcome.Seen, cancellationToken).ConfigureAwait(false);
        return write.IsSatisfiedBy(found) && !last ? null : CommitResult.Conflict(0, found);
    }

    /// <summary>
    /// A batch with its fences in one round trip: the fence owners' shared advisory locks, the fence tokens, then
    /// every entry in record order. A batch that writes runs in an explicit transaction, committed only when every
    /// fence and condition held; its checks lock the rows they read so that they still hold at commit. A batch
    /// that only checks needs no locks: each check's snapshot follows the previous one's, so all its reads were
    /// true together at the moment of the first check. Null asks for another attempt, as in <see cref="CommitOneAsync"/>.
    /// </summary>
    private async Task<CommitResult?> CommitBatchAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, bool last, CancellationToken cancellationToken)
    {
        var statements = new string?[writes.Count];
        var writing = false;
        for (var i = 0; i < writes.Count; i++)
        {
            statements[i] = WriteStatement(writes[i]);
            writing |= statements[i] is not null;
        }

        var order = new int[writes.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => CompareRecords(writes[a], writes[b]));

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = writing ? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        await using var batch = new NpgsqlBatch(connection, transaction);

        var fenceLocks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var fence in fences)
        {
            fenceLocks.Add(OwnerLockName(fence.Owner));
        }

        foreach (var name in fenceLocks)
        {
            var command = new NpgsqlBatchCommand(PostgresSql.LockOwnerShared);
            command.Parameters.Add(new NpgsqlParameter<string>("lock", name));
            batch.BatchCommands.Add(command);
        }

        foreach (var fence in fences)
        {
            var command = new NpgsqlBatchCommand(fence.Key is null ? _sql.OwnerFenceToken : _sql.KeyFenceToken);
            PostgresParameters.AddOwner(command.Parameters, fence.Owner);
            if (fence.Key is not null)
            {
                command.Parameters.Add(new NpgsqlParameter<string>("resource", fence.Key));
            }

            batch.BatchCommands.Add(command);
        }

        foreach (var i in order)
        {
            var command = new NpgsqlBatchCommand(statements[i] ?? (writing ? _sql.LockedLiveVersion : _sql.LiveVersion));
            if (statements[i] is null)
            {
                PostgresParameters.AddRecord(command.Parameters, writes[i].Owner, writes[i].Key);
            }
            else
            {
                PostgresParameters.AddWrite(command.Parameters, writes[i], _jsonbWrites);
            }

            batch.BatchCommands.Add(command);
        }

        var results = new Outcome[batch.BatchCommands.Count];
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var c = 0; c < results.Length; c++)
            {
                if (c > 0)
                {
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }

                if (c >= fenceLocks.Count)
                {
                    results[c] = await ReadOutcomeAsync(reader, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        for (var f = 0; f < fences.Count; f++)
        {
            var newest = results[fenceLocks.Count + f].Written ?? 0;
            if (newest > fences[f].Token)
            {
                await RollbackAsync(transaction).ConfigureAwait(false);
                return CommitResult.FencedOut(f, newest);
            }
        }

        var versions = new long[writes.Count];
        var failed = -1;
        var first = fenceLocks.Count + fences.Count;
        for (var p = 0; p < order.Length; p++)
        {
            var i = order[p];
            var result = results[first + p].Written;
            if (statements[i] is null)
            {
                versions[i] = result ?? 0;
                if (!writes[i].IsSatisfiedBy(versions[i]) && (failed < 0 || i < failed))
                {
                    failed = i;
                }
            }
            else if (result is { } version)
            {
                versions[i] = version;
            }
            else if (writes[i] is not { Kind: StateWriteKind.Delete, ExpectedVersion: null } && (failed < 0 || i < failed))
            {
                failed = i;
            }
        }

        if (failed >= 0)
        {
            // A check's result is the live version it found; a write reports the version it saw.
            var live = statements[failed] is null
                ? versions[failed]
                : await FailedVersionAsync(connection, writes[failed], results[first + Array.IndexOf(order, failed)].Seen, cancellationToken).ConfigureAwait(false);
            await RollbackAsync(transaction).ConfigureAwait(false);
            return statements[failed] is not null && writes[failed].IsSatisfiedBy(live) && !last
                ? null
                : CommitResult.Conflict(failed, live);
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return CommitResult.Success(versions);
    }

    private static async Task RollbackAsync(NpgsqlTransaction? transaction)
    {
        if (transaction is not null)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The statement that applies a write, or null when the entry writes nothing (a check, or a delete requiring absence).</summary>
    private string? WriteStatement(StateWrite write) => (write.Kind, write.ExpectedVersion) switch
    {
        (StateWriteKind.Set, null) => _sql.SetAny,
        (StateWriteKind.Set, 0) => _sql.SetIfAbsent,
        (StateWriteKind.Set, _) => _sql.SetIfVersion,
        (StateWriteKind.Delete, null) => _sql.DeleteAny,
        (StateWriteKind.Delete, 0) => null,
        (StateWriteKind.Delete, _) => _sql.DeleteIfVersion,
        (StateWriteKind.Check, _) => null,
        _ => throw new UnreachableException("Write kinds are checked before the batch is applied."),
    };

    /// <summary>
    /// The live version to report for a conditional write that changed no row: the version its statement saw, when
    /// that fails the condition; otherwise the row changed while the statement waited for it, and a new statement
    /// reads what made it fail.
    /// </summary>
    private async Task<long> FailedVersionAsync(NpgsqlConnection? connection, StateWrite write, long? seen, CancellationToken cancellationToken) =>
        seen is { } version && !write.IsSatisfiedBy(version)
            ? version
            : await LiveVersionAsync(connection, write, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Reads a statement's one row, if any: the version written (or checked, or the fence's token) and, for a
    /// conditional write, the live version its snapshot saw.
    /// </summary>
    private static async Task<Outcome> ReadOutcomeAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return default;
        }

        return new Outcome(
            reader.IsDBNull(0) ? null : reader.GetInt64(0),
            reader.FieldCount > 1 && !reader.IsDBNull(1) ? reader.GetInt64(1) : null);
    }

    /// <summary>The live version of a record (0 when absent or deleted), on <paramref name="connection"/> or a pooled one.</summary>
    private async Task<long> LiveVersionAsync(NpgsqlConnection? connection, StateWrite write, CancellationToken cancellationToken)
    {
        await using var command = connection is null ? _dataSource.CreateCommand(_sql.LiveVersion) : new NpgsqlCommand(_sql.LiveVersion, connection);
        PostgresParameters.AddRecord(command.Parameters, write.Owner, write.Key);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : 0;
    }

    /// <summary>The order rows are locked in: the primary key's order, the same for every client.</summary>
    private static int CompareRecords(StateWrite a, StateWrite b)
    {
        var order = a.Owner.Scope.CompareTo(b.Owner.Scope);
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

    /// <summary>What one statement of a commit returned: the version it wrote (or checked), and the version it saw.</summary>
    private readonly record struct Outcome(long? Written, long? Seen);
}
