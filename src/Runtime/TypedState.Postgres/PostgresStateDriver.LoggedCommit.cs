using System.Runtime.CompilerServices;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// The logged commit: a batch that writes to a guild keeping a timeline, or appends, in one explicit transaction of
// two round trips (each attempt of the common batch tries one first: PostgresStateDriver.LoggedFastPath.cs). 1: BEGIN, the commit id's claim, the guilds' shared advisory locks, the fences, the guilds'
// timeline rows locked FOR UPDATE (which orders the guild's commits: the head read here stays the head until this
// transaction ends), then in record order a fork's inherited records copied in, the previous versions of
// unconditional sets, the appended ids already in the timeline, and the writes. 2: the entries, at consecutive
// sequences above each head, the heads raised, the commit id's versions, and COMMIT. A pause, a fence or a failed
// condition found in the first answer rolls everything back.
public sealed partial class PostgresStateDriver
{
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private async ValueTask<CommitResult?> CommitLoggedAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, bool last, CancellationToken cancellationToken)
    {
        // Failing to open a connection applies nothing: the exception passes as it is.
        await using var lease = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var connection = lease.Connection;
        var timelines = new Dictionary<string, (long Head, long? PausedAt, bool IsFork)>(StringComparer.Ordinal);
        var applied = new LoggedBatch(writes.Count);
        CommitResult? fenced;
        await using (var batch = connection.CreateBatch())
        {
            var tokensAfter = AddLockStatements(batch, writes, fences, commitId);
            var reads = AddWriteStatements(batch, writes, applied);
            try
            {
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                fenced = await ReadLocksAsync(reader, tokensAfter, fences, timelines, cancellationToken).ConfigureAwait(false);
                LearnGuilds(writes, timelines);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await ReadWritesAsync(reader, reads, writes, applied, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (!commitId.IsNone && IsRepeatedClaim(ex))
            {
                await RollbackAsync(connection).ConfigureAwait(false);
                return await RecallAsync(connection, commitId, last, cancellationToken).ConfigureAwait(false);
            }
        }

        // Refusals in the order every driver checks them: fences, then the timelines, then the conditions.
        if (fenced is not null)
        {
            await RollbackAsync(connection).ConfigureAwait(false);
            return fenced;
        }

        for (var i = 0; i < writes.Count; i++)
        {
            var found = timelines.TryGetValue(writes[i].Owner.GuildIdOrEmpty, out var timeline) && writes[i].Owner.Scope != Scope.Global;
            if (found && timeline.PausedAt is { } pausedAt)
            {
                await RollbackAsync(connection).ConfigureAwait(false);
                return CommitResult.TimelineRefused(i, pausedAt);
            }

            if (!found && writes[i].Kind == StateWriteKind.Append)
            {
                await RollbackAsync(connection).ConfigureAwait(false);
                return CommitResult.TimelineRefused(i, -1);
            }
        }

        if (applied.Failed >= 0)
        {
            var failed = applied.Failed;
            var live = applied.Statements[failed] is null
                ? applied.Versions[failed]
                : await LiveVersionAsync(connection, writes[failed], cancellationToken).ConfigureAwait(false);
            await RollbackAsync(connection).ConfigureAwait(false);
            return applied.Statements[failed] is not null && writes[failed].IsSatisfiedBy(live) && !last
                ? null
                : CommitResult.Conflict(failed, live);
        }

        var entries = LogEntries(writes, timelines, applied);
        await CommitLoggedTransactionAsync(connection, entries, timelines, commitId, applied.Versions, cancellationToken).ConfigureAwait(false);
        return CommitResult.Success(applied.Versions);
    }

    /// <summary>
    /// BEGIN, the claim, the guilds' shared advisory locks, the fences and the timelines' rows; returns how many
    /// result sets (the locks) come before the fence tokens.
    /// </summary>
    private int AddLockStatements(NpgsqlBatch batch, IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId)
    {
        var guilds = GuildsOf(writes);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        if (!commitId.IsNone)
        {
            AddClaim(batch, commitId);
        }

        foreach (var guild in guilds)
        {
            batch.BatchCommands.Add(GuildLock(PostgresSql.LockGuildShared, guild));
        }

        var fenceLocks = AddFences(batch, fences);
        var lockTimelines = new NpgsqlBatchCommand(_sql.LockTimelines);
        lockTimelines.Parameters.Add(new NpgsqlParameter<string[]>("guilds", guilds));
        batch.BatchCommands.Add(lockTimelines);

        return guilds.Length + fenceLocks;
    }

    /// <summary>Reads the fence tokens and the timelines' rows; returns the first fence failure, if any.</summary>
    private static async Task<CommitResult?> ReadLocksAsync(
        NpgsqlDataReader reader,
        int tokensAfter,
        IReadOnlyList<StateFence> fences,
        Dictionary<string, (long Head, long? PausedAt, bool IsFork)> timelines,
        CancellationToken cancellationToken)
    {
        // The reader moves over the statements that return rows: the locks, the fence tokens, the timelines.
        var current = 0;
        var firstToken = tokensAfter;
        CommitResult? fenced = null;
        for (var f = 0; f <= fences.Count; f++)
        {
            for (; current < firstToken + f; current++)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            if (f == fences.Count)
            {
                break;
            }

            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var token = reader.GetInt64(0);
            if (fenced is null && token > fences[f].Token)
            {
                fenced = CommitResult.FencedOut(f, token);
            }
        }

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            timelines[reader.GetString(0)] = (reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetBoolean(3));
        }

        return fenced;
    }

    /// <summary>
    /// In record order: the inherited record copied in (for a fork; a no-op elsewhere), the previous version of an
    /// unconditional set, the ids already appended, and the writes. Returns what each result set means.
    /// </summary>
    private List<(int Write, LoggedRead Read)> AddWriteStatements(NpgsqlBatch batch, IReadOnlyList<StateWrite> writes, LoggedBatch applied)
    {
        var order = new int[writes.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            applied.Statements[i] = writes[i].Kind == StateWriteKind.Append ? null : WriteStatement(writes[i]);
        }

        SortInLockOrder(order, writes);

        // Per write, in record order, the statements whose rows are read: (write, what the rows mean).
        var reads = new List<(int Write, LoggedRead Read)>();
        var placeholders = 0;
        foreach (var i in order)
        {
            var write = writes[i];
            if (write.Kind == StateWriteKind.Append)
            {
                var appended = new NpgsqlBatchCommand(_sql.AppendedAt);
                appended.Parameters.Add(new NpgsqlParameter<string>("guild", write.Owner.GuildIdOrEmpty));
                appended.Parameters.Add(new NpgsqlParameter<string>("key", write.Key));
                batch.BatchCommands.Add(appended);
                reads.Add((i, LoggedRead.AppendedAt));
                continue;
            }

            // Sent before the timelines' rows are known: one probe of the timelines for a guild that is not a fork.
            if (write.Owner.Scope != Scope.Global)
            {
                var copy = new NpgsqlBatchCommand(_sql.Materialize);
                PostgresParameters.AddRecord(copy.Parameters, write.Owner, write.Key);
                batch.BatchCommands.Add(copy);
                reads.Add((i, LoggedRead.Ignored));
            }

            if (write is { Kind: StateWriteKind.Set, ExpectedVersion: null })
            {
                var previous = new NpgsqlBatchCommand(_sql.LiveVersion);
                PostgresParameters.AddRecord(previous.Parameters, write.Owner, write.Key);
                batch.BatchCommands.Add(previous);
                reads.Add((i, LoggedRead.Previous));
            }

            var statement = new NpgsqlBatchCommand(applied.Statements[i] ?? _sql.LockedLiveVersion);
            if (applied.Statements[i] is null)
            {
                PostgresParameters.AddRecord(statement.Parameters, write.Owner, write.Key);
                placeholders++;
            }
            else
            {
                PostgresParameters.AddWrite(statement.Parameters, write, _jsonbWrites);
            }

            batch.BatchCommands.Add(statement);
            reads.Add((i, LoggedRead.Outcome));
        }

        if (placeholders > 0)
        {
            var statements = new string?[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                statements[i] = writes[i].Kind == StateWriteKind.Append ? string.Empty : applied.Statements[i];
            }

            batch.BatchCommands.Add(ForgetPlaceholdersCommand(writes, statements, placeholders));
        }

        return reads;
    }

    /// <summary>Reads the write statements' results and finds the first write whose condition failed.</summary>
    private async Task ReadWritesAsync(
        NpgsqlDataReader reader,
        List<(int Write, LoggedRead Read)> reads,
        IReadOnlyList<StateWrite> writes,
        LoggedBatch applied,
        CancellationToken cancellationToken)
    {
        var reading = 0;
        try
        {
            for (reading = 0; reading < reads.Count; reading++)
            {
                if (reading > 0)
                {
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }

                var (i, read) = reads[reading];
                switch (read)
                {
                    case LoggedRead.AppendedAt:
                        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                        applied.AppendedAt[i] = reader.IsDBNull(0) ? null : reader.GetInt64(0);
                        break;
                    case LoggedRead.Previous:
                        applied.Previous[i] = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetInt64(0) : 0;
                        break;
                    case LoggedRead.Outcome:
                        applied.Outcomes[i] = await ReadOutcomeAsync(reader, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (PostgresException ex) when (ex.SqlState != PostgresErrorCodes.DeadlockDetected && reading < reads.Count)
        {
            // No COMMIT was sent: nothing applied. Name the record the server refused.
            var failing = reads[Math.Max(reading, 0)].Write;
            throw new StateDriverException(Name, "commit", writes[failing].Owner, writes[failing].Key, StateWriteOutcome.NotApplied, ex);
        }

        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i].Kind == StateWriteKind.Append)
            {
                continue;
            }

            var result = applied.Outcomes[i].Written;
            if (applied.Statements[i] is null)
            {
                applied.Versions[i] = result ?? 0;
                if (!writes[i].IsSatisfiedBy(applied.Versions[i]) && (applied.Failed < 0 || i < applied.Failed))
                {
                    applied.Failed = i;
                }
            }
            else if (result is { } version)
            {
                applied.Versions[i] = version;
            }
            else if (writes[i] is not { Kind: StateWriteKind.Delete, ExpectedVersion: null } && (applied.Failed < 0 || i < applied.Failed))
            {
                applied.Failed = i;
            }
        }
    }
}
