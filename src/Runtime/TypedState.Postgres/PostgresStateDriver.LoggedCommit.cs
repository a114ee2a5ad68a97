using System.Text;
using Npgsql;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Postgres;

// The logged commit: a batch that writes to a guild keeping a timeline, or appends, in one explicit transaction of
// two round trips. 1: BEGIN, the commit id's claim, the guilds' shared advisory locks, the fences, the guilds'
// timeline rows locked FOR UPDATE (which orders the guild's commits: the head read here stays the head until this
// transaction ends), then in record order a fork's inherited records copied in, the previous versions of
// unconditional sets, the appended ids already in the timeline, and the writes. 2: the entries, at consecutive
// sequences above each head, the heads raised, the commit id's versions, and COMMIT. A pause, a fence or a failed
// condition found in the first answer rolls everything back.
public sealed partial class PostgresStateDriver
{
    private async Task<CommitResult?> CommitLoggedAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, bool last, CancellationToken cancellationToken)
    {
        // Failing to open a connection applies nothing: the exception passes as it is.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
                : await FailedVersionAsync(connection, writes[failed], applied.Outcomes[failed].Seen, cancellationToken).ConfigureAwait(false);
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
            batch.BatchCommands.Add(ClaimCommand(commitId));
        }

        foreach (var guild in guilds)
        {
            batch.BatchCommands.Add(GuildLock(PostgresSql.LockGuildShared, guild));
        }

        var fenceLocks = AddFences(batch, fences);
        var lockTimelines = new NpgsqlBatchCommand(_sql.LockTimelines);
        lockTimelines.Parameters.Add(new NpgsqlParameter<string[]>("guilds", [.. guilds]));
        batch.BatchCommands.Add(lockTimelines);

        return guilds.Count + fenceLocks;
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

        Array.Sort(order, (a, b) => CompareRecords(writes[a], writes[b]));

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

    /// <summary>
    /// The entries of an applied batch, in batch order, at consecutive sequences above each guild's head (raised in
    /// <paramref name="timelines"/>); sets the versions of appends (their sequences, or the first one's for an id
    /// already appended).
    /// </summary>
    private static List<LoggedEntry> LogEntries(IReadOnlyList<StateWrite> writes, Dictionary<string, (long Head, long? PausedAt, bool IsFork)> timelines, LoggedBatch applied)
    {
        var entries = new List<LoggedEntry>();
        var appendedNow = new Dictionary<(string Guild, string Id), long>();
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            var guild = write.Owner.GuildIdOrEmpty;
            if (write.Owner.Scope == Scope.Global || !timelines.TryGetValue(guild, out var timeline))
            {
                continue;
            }

            TimelineEntryKind kind;
            long previous;
            long version;
            switch (write.Kind)
            {
                case StateWriteKind.Append:
                    if (applied.AppendedAt[i] is { } earlier || appendedNow.TryGetValue((guild, write.Key), out earlier))
                    {
                        applied.Versions[i] = earlier;
                        continue;
                    }

                    (kind, previous, version) = (TimelineEntryKind.Append, 0, timeline.Head + 1);
                    appendedNow[(guild, write.Key)] = version;
                    applied.Versions[i] = version;
                    break;
                case StateWriteKind.Set:
                    version = applied.Versions[i];
                    previous = write.ExpectedVersion ?? applied.Previous[i];
                    kind = TimelineEntryKind.Set;
                    break;
                case StateWriteKind.Delete when applied.Statements[i] is not null && applied.Versions[i] > 0:
                    (kind, previous, version) = (TimelineEntryKind.Delete, applied.Versions[i], applied.Versions[i] + 1);
                    break;
                default:
                    continue;
            }

            timelines[guild] = (timeline.Head + 1, timeline.PausedAt, timeline.IsFork);
            entries.Add(new LoggedEntry(guild, timeline.Head + 1, kind, write, previous, version));
        }

        return entries;
    }

    /// <summary>The second round trip: the entries, the heads, the commit id's versions and COMMIT; only a failure here can leave the outcome unknown.</summary>
    private async Task CommitLoggedTransactionAsync(
        NpgsqlConnection connection,
        List<LoggedEntry> entries,
        Dictionary<string, (long Head, long? PausedAt, bool IsFork)> timelines,
        CommitId commitId,
        long[] versions,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var batch = connection.CreateBatch();
        if (entries.Count > 0)
        {
            batch.BatchCommands.Add(InsertEntriesCommand(entries, commitId));
            var raised = entries.Select(entry => entry.Guild).Distinct(StringComparer.Ordinal).ToArray();
            var heads = new NpgsqlBatchCommand(_sql.RaiseHeads);
            heads.Parameters.Add(new NpgsqlParameter<string[]>("guilds", raised));
            heads.Parameters.Add(new NpgsqlParameter<long[]>("heads", [.. raised.Select(guild => timelines[guild].Head)]));
            batch.BatchCommands.Add(heads);
        }

        if (!commitId.IsNone)
        {
            var remember = new NpgsqlBatchCommand(_sql.RememberCommit);
            remember.Parameters.Add(new NpgsqlParameter<long[]>("versions", versions));
            remember.Parameters.Add(new NpgsqlParameter<Guid>("commit", commitId.Value));
            batch.BatchCommands.Add(remember);
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (MayHaveCommitted(ex))
        {
            throw Lost(ex);
        }
    }

    /// <summary>The entries as one INSERT of arrays; a value goes to jsonb when the records would store it there.</summary>
    private NpgsqlBatchCommand InsertEntriesCommand(List<LoggedEntry> entries, CommitId commitId)
    {
        var values = new string?[entries.Count];
        var bytes = new byte[]?[entries.Count];
        for (var e = 0; e < entries.Count; e++)
        {
            var write = entries[e].Write;
            if (entries[e].Kind is TimelineEntryKind.Set or TimelineEntryKind.Append)
            {
                if (_jsonbWrites && JsonbDocuments.CanStore(write.Value.Span))
                {
                    values[e] = Encoding.UTF8.GetString(write.Value.Span);
                }
                else
                {
                    bytes[e] = write.Value.ToArray();
                }
            }
        }

        var command = new NpgsqlBatchCommand(_sql.InsertEntries);
        command.Parameters.Add(new NpgsqlParameter<string[]>("guilds", [.. entries.Select(e => e.Guild)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("seqs", [.. entries.Select(e => e.Sequence)]));
        command.Parameters.Add(new NpgsqlParameter<short[]>("kinds", [.. entries.Select(e => (short)e.Kind)]));
        command.Parameters.Add(new NpgsqlParameter<short[]>("scopes", [.. entries.Select(e => (short)e.Write.Owner.Scope)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("agents", [.. entries.Select(e => e.Write.Owner.AgentIdOrEmpty)]));
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. entries.Select(e => e.Write.Key)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("previous", [.. entries.Select(e => e.Previous)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("versions", [.. entries.Select(e => e.Version)]));
        command.Parameters.Add(new NpgsqlParameter<string?[]>("values", values));
        command.Parameters.Add(new NpgsqlParameter<byte[]?[]>("bytes", bytes));
        command.Parameters.Add(new NpgsqlParameter<Guid>("commit", commitId.Value));
        return command;
    }

    /// <summary>What the rows of a statement of the second round trip mean.</summary>
    private enum LoggedRead
    {
        Ignored,
        AppendedAt,
        Previous,
        Outcome,
    }

    /// <summary>One entry of a logged commit.</summary>
    private sealed record LoggedEntry(string Guild, long Sequence, TimelineEntryKind Kind, StateWrite Write, long Previous, long Version);

    /// <summary>What the second round trip found, per write in batch order.</summary>
    private sealed class LoggedBatch(int count)
    {
        public string?[] Statements { get; } = new string?[count];

        public Outcome[] Outcomes { get; } = new Outcome[count];

        public long[] Versions { get; } = new long[count];

        public long[] Previous { get; } = new long[count];

        public long?[] AppendedAt { get; } = new long?[count];

        public int Failed { get; set; } = -1;
    }
}
