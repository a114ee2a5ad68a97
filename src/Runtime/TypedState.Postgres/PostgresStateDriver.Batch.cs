using System.Buffers;
using System.Runtime.CompilerServices;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// A batch with its fences: one explicit transaction in two round trips, the statements and then the commit.
public sealed partial class PostgresStateDriver
{
    /// <summary>Whether a batch has an entry that writes (not only checks).</summary>
    private bool AnyWrites(IReadOnlyList<StateWrite> writes)
    {
        for (var i = 0; i < writes.Count; i++)
        {
            if (WriteStatement(writes[i]) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A batch with its fences. A batch that writes runs in an explicit transaction: the first round trip sends BEGIN,
    /// the claim of the commit id (and, now and then, the pruning of expired ids), the shared advisory locks of the guilds it touches, the fence owners' shared
    /// advisory locks, the fence tokens, every entry in record order, and the deletion of the placeholders its checks
    /// locked; the second commits (storing the versions under the commit id) only when every fence and condition
    /// held. Its checks lock the rows they read so that they still hold at commit. A batch that only checks needs no
    /// locks: each check's snapshot follows the previous one's, so all its reads were true together at the moment of
    /// the first check. Attempted again as a single write is (<see cref="CommitOneAsync"/>), in the same state machine.
    /// </summary>
    /// <remarks>
    /// BEGIN and COMMIT are sent as statements of the batches rather than through an NpgsqlTransaction, so that the
    /// commit id's versions travel with the COMMIT and the batch still takes two round trips. A connection given back
    /// to the pool inside a transaction (after an error) is rolled back by Npgsql before it is used again.
    /// </remarks>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private async ValueTask<CommitResult> CommitBatchAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == MaxAttempts;
            try
            {
                // Now and then a writing batch with a commit id also prunes expired ids; the prune counts only if it commits.
                var prune = commitId.IsNone || !AnyWrites(writes) ? null : TakePruneTurn();
                var committed = false;

                // Rented: the statements, their lock order and outcomes are read only while this attempt runs.
                var n = writes.Count;
                var statements = ArrayPool<string?>.Shared.Rent(n);
                var order = ArrayPool<int>.Shared.Rent(n);
                Outcome[]? results = null;
                try
                {
                    var writing = false;
                    for (var i = 0; i < n; i++)
                    {
                        statements[i] = WriteStatement(writes[i]);
                        writing |= statements[i] is not null;
                    }

                    for (var i = 0; i < n; i++)
                    {
                        order[i] = i;
                    }

                    SortInLockOrder(order.AsSpan(0, n), writes);
                    var remembering = writing && !commitId.IsNone;

                    // Failing to open a connection applies nothing: the exception passes as it is.
                    await using var lease = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var connection = lease.Connection;
                    var batch = _commands.RentBatch(connection);
                    if (writing)
                    {
                        PostgresCommandPool.Add(batch, "BEGIN");
                    }

                    if (remembering)
                    {
                        AddClaim(batch, commitId);
                        if (prune is not null)
                        {
                            batch.BatchCommands.Add(prune);
                        }
                    }

                    // Each guild's guard: its shared advisory lock when the batch writes, and the refusal of a guild that keeps a
                    // timeline (PostgresSql.GuildIsLogged, which CommitAsync turns to the logged path; nothing applied).
                    var firstRows = batch.BatchCommands.Count;
                    foreach (var guild in GuildsOf(writes))
                    {
                        if (writing)
                        {
                            AddWritingGuildLock(batch, guild);
                        }
                        else
                        {
                            AddLoggedGuildRefusal(batch, guild);
                        }
                    }

                    var firstFence = batch.BatchCommands.Count + AddFences(batch, fences);

                    var firstEntry = batch.BatchCommands.Count;
                    var placeholders = 0;
                    foreach (var i in order.AsSpan(0, n))
                    {
                        var parameters = PostgresCommandPool.Add(batch, statements[i] ?? (writing ? _sql.LockedLiveVersion : _sql.LiveVersion));
                        if (statements[i] is null)
                        {
                            PostgresParameters.AddRecord(parameters, writes[i].Owner, writes[i].Key);
                            placeholders += writing ? 1 : 0;
                        }
                        else
                        {
                            PostgresParameters.AddWrite(parameters, writes[i], _jsonbWrites);
                        }
                    }

                    if (placeholders > 0)
                    {
                        batch.BatchCommands.Add(ForgetPlaceholdersCommand(writes, statements, placeholders));
                    }

                    var tokens = fences.Count == 0 ? [] : new long[fences.Count];

                    // Rented: the outcomes are read only while this commit runs.
                    results = ArrayPool<Outcome>.Shared.Rent(writes.Count);

                    // The statement whose answer is being read, to name the record of a statement the server refused (the first
                    // answer read may also be BEGIN's or the claim's, which return no rows).
                    var reading = firstRows == 0 ? 0 : -1;
                    try
                    {
                        // The reader moves over the statements that return rows: all but BEGIN, the claim and the placeholders' deletion.
                        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                        {
                            for (var c = firstRows; c < firstEntry + n; c++)
                            {
                                if (c > firstRows)
                                {
                                    reading = c;
                                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                                }

                                if (c >= firstFence && c < firstEntry)
                                {
                                    tokens[c - firstFence] = (await ReadOutcomeAsync(reader, cancellationToken).ConfigureAwait(false)).Written ?? 0;
                                }
                                else if (c >= firstEntry && c < firstEntry + n)
                                {
                                    results[c - firstEntry] = await ReadOutcomeAsync(reader, cancellationToken).ConfigureAwait(false);
                                }
                            }
                        }

                        _commands.Return(batch);
                        reading = -1;
                    }
                    catch (PostgresException ex) when (remembering && IsRepeatedClaim(ex))
                    {
                        await RollbackAsync(connection).ConfigureAwait(false);
                        var recalled = await RecallAsync(connection, commitId, last, cancellationToken).ConfigureAwait(false);
                        committed = recalled is { Succeeded: true };
                        if (recalled is { } decided)
                        {
                            return decided;
                        }

                        continue;
                    }
                    catch (PostgresException ex) when (ex.SqlState != PostgresErrorCodes.DeadlockDetected && EntryOf(batch, ex, reading, firstEntry, order, n) is { } failing)
                    {
                        // No COMMIT was sent: nothing applied. Name the record the server refused, not the whole batch.
                        throw new StateDriverException(Name, "commit", writes[failing].Owner, writes[failing].Key, StateWriteOutcome.NotApplied, ex);
                    }

                    for (var f = 0; f < fences.Count; f++)
                    {
                        if (tokens[f] > fences[f].Token)
                        {
                            await RollbackAsync(writing ? connection : null).ConfigureAwait(false);
                            return CommitResult.FencedOut(f, tokens[f]);
                        }
                    }

                    var versions = new long[writes.Count];
                    var failed = -1;
                    for (var p = 0; p < n; p++)
                    {
                        var i = order[p];
                        var result = results[p].Written;
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
                        // A check's result is the live version it found; a refused write reads what refused it.
                        var live = statements[failed] is null
                            ? versions[failed]
                            : await LiveVersionAsync(connection, writes[failed], cancellationToken).ConfigureAwait(false);
                        await RollbackAsync(writing ? connection : null).ConfigureAwait(false);
                        if (statements[failed] is not null && writes[failed].IsSatisfiedBy(live) && !last)
                        {
                            continue;
                        }

                        return CommitResult.Conflict(failed, live);
                    }

                    if (writing)
                    {
                        await CommitTransactionAsync(connection, remembering ? commitId : CommitId.None, versions, cancellationToken).ConfigureAwait(false);
                    }

                    committed = true;
                    return CommitResult.Success(versions);
                }
                finally
                {
                    PrunedOrNot(prune, committed);
                    ArrayPool<string?>.Shared.Return(statements, clearArray: true);
                    ArrayPool<int>.Shared.Return(order);
                    if (results is not null)
                    {
                        ArrayPool<Outcome>.Shared.Return(results, clearArray: true);
                    }
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresSql.GuildIsLogged)
            {
                _loggedGuilds[LoggedGuildOf(ex)] = true;
                return await CommitLoggedAttemptsAsync(writes, fences, commitId, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && !last)
            {
                LogRetried(ex.SqlState, attempt);
            }
        }
    }

    /// <summary>
    /// The second round trip of a writing batch: the versions stored under its commit id, and COMMIT. Only a failure
    /// here can leave the outcome unknown: the server may have committed before the answer was lost.
    /// </summary>
    /// <remarks>The statements of <paramref name="first"/> (a logged commit's entries) go before the versions.</remarks>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder))]
    private async ValueTask CommitTransactionAsync(NpgsqlConnection connection, CommitId commitId, long[] versions, CancellationToken cancellationToken, IEnumerable<NpgsqlBatchCommand>? first = null)
    {
        // A cancellation noticed before anything is sent leaves the transaction to roll back with the connection.
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var batch = _commands.RentBatch(connection);
            foreach (var command in first ?? [])
            {
                batch.BatchCommands.Add(command);
            }

            if (!commitId.IsNone)
            {
                var remember = PostgresCommandPool.Add(batch, _sql.RememberCommit);
                PostgresParameters.Set(remember, 0, versions);
                PostgresParameters.Set(remember, 1, commitId.Value);
            }

            PostgresCommandPool.Add(batch, "COMMIT");
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _commands.Return(batch);
        }
        catch (Exception ex) when (MayHaveCommitted(ex))
        {
            throw Lost(ex);
        }
    }

    private static async Task RollbackAsync(NpgsqlConnection? connection)
    {
        if (connection is not null)
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds the fence owners' shared advisory locks (in one order for every client), then one token statement per
    /// fence, in fence order; returns how many lock statements come before the tokens.
    /// </summary>
    private int AddFences(NpgsqlBatch batch, IReadOnlyList<StateFence> fences)
    {
        if (fences.Count == 0)
        {
            // Most batches have no fence: no lock names to sort.
            return 0;
        }

        var fenceLocks = new SortedSet<string>(fences.Select(fence => OwnerLockName(fence.Owner)), StringComparer.Ordinal);
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

        return fenceLocks.Count;
    }

    /// <summary>The distinct guilds a batch touches, in one order for every client (shared locks, so only removals wait).</summary>
    /// <remarks>The common batch touches one guild: it gets an array of one, without a set.</remarks>
    /// <summary>
    /// Sorts <paramref name="order"/>, positions in <paramref name="writes"/>, into the order rows are locked in
    /// (<see cref="CompareRecords"/>): a transaction's few writes by insertion, with no comparison delegate and closure
    /// to allocate, larger batches by <see cref="MemoryExtensions.Sort{T}(Span{T}, Comparison{T})"/>.
    /// </summary>
    private static void SortInLockOrder(Span<int> order, IReadOnlyList<StateWrite> writes)
    {
        if (order.Length > 16)
        {
            SortLarge(order, writes);
            return;
        }

        for (var i = 1; i < order.Length; i++)
        {
            var position = order[i];
            var j = i - 1;
            for (; j >= 0 && CompareRecords(writes[order[j]], writes[position]) > 0; j--)
            {
                order[j + 1] = order[j];
            }

            order[j + 1] = position;
        }
    }

    /// <summary>As <see cref="SortInLockOrder"/>, apart so that its closure is made only here.</summary>
    private static void SortLarge(Span<int> order, IReadOnlyList<StateWrite> writes) =>
        order.Sort((a, b) => CompareRecords(writes[a], writes[b]));

    private static string[] GuildsOf(IReadOnlyList<StateWrite> writes)
    {
        string? only = null;
        for (var i = 0; i < writes.Count; i++)
        {
            var owner = writes[i].Owner;
            if (owner.Scope == Scope.Global || string.Equals(only, owner.GuildIdOrEmpty, StringComparison.Ordinal))
            {
                continue;
            }

            if (only is not null)
            {
                var guilds = new SortedSet<string>(StringComparer.Ordinal);
                for (var j = 0; j < writes.Count; j++)
                {
                    if (writes[j].Owner.Scope != Scope.Global)
                    {
                        guilds.Add(writes[j].Owner.GuildIdOrEmpty);
                    }
                }

                return [.. guilds];
            }

            only = owner.GuildIdOrEmpty;
        }

        return only is null ? [] : [only];
    }

    /// <summary>The deletion of the placeholders the batch's checks may have inserted, at the end of its transaction.</summary>
    private NpgsqlBatchCommand ForgetPlaceholdersCommand(IReadOnlyList<StateWrite> writes, string?[] statements, int count)
    {
        var scopes = new short[count];
        var guilds = new string[count];
        var agents = new string[count];
        var keys = new string[count];
        var n = 0;
        for (var i = 0; i < writes.Count; i++)
        {
            if (statements[i] is null)
            {
                (scopes[n], guilds[n], agents[n], keys[n]) = ((short)writes[i].Owner.Scope, writes[i].Owner.GuildIdOrEmpty, writes[i].Owner.AgentIdOrEmpty, writes[i].Key);
                n++;
            }
        }

        var command = new NpgsqlBatchCommand(_sql.ForgetPlaceholders);
        command.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = scopes });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = guilds });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = agents });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
        return command;
    }

    /// <summary>
    /// The index in the batch of the write whose statement <paramref name="error"/> came from, if it came from one:
    /// the statement Npgsql names (with Include Failed Batched Command), or else the one whose answer was being read.
    /// </summary>
    private static int? EntryOf(NpgsqlBatch batch, PostgresException error, int reading, int firstEntry, int[] order, int count)
    {
        var statement = error.BatchCommand is { } failing ? batch.BatchCommands.IndexOf(failing) : reading;
        var position = statement - firstEntry;
        return statement >= 0 && position >= 0 && position < count ? order[position] : null;
    }
}
