using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// The logged commit in one round trip, for the common batch: sets and version-checked deletes, without fences or
// appends, to guilds this driver knows to keep a timeline. One implicit transaction of 2 + n statements (3 + n for one
// guild): lock_logged (the guilds' shared advisory locks, and their heads raised by their numbers of writes, which
// row-locks the timelines; for one guild, the lock and the raise as plain statements), each write with its entry in record order (PostgresSql.LoggedWrites.cs), and finish_logged, which checks
// every write applied and remembers the versions under the commit id. Any refusal (a pause, a fork, a guild without a timeline, a failed condition) declines it with nothing applied,
// and the two-round-trip path (PostgresStateDriver.LoggedCommit.cs) runs the batch and reports it.
public sealed partial class PostgresStateDriver
{
    /// <summary>
    /// Guilds this driver saw to be forks: their commits skip the one round trip, which would decline them. Only a
    /// shortcut, as <see cref="_loggedGuilds"/> is: a stale entry (a fork removed and its id reused) costs the one
    /// round trip, never correctness.
    /// </summary>
    private readonly ConcurrentDictionary<string, bool> _forkGuilds = new(StringComparer.Ordinal);

    /// <summary>
    /// After the two-round-trip path read the timelines of a batch's guilds: forks are remembered, and guilds that no
    /// longer keep a timeline are forgotten, so their next commits take the path that fits them.
    /// </summary>
    private void LearnGuilds(IReadOnlyList<StateWrite> writes, Dictionary<string, (long Head, long? PausedAt, bool IsFork)> timelines)
    {
        foreach (var guild in GuildsOf(writes))
        {
            if (!timelines.TryGetValue(guild, out var timeline))
            {
                _loggedGuilds.TryRemove(guild, out _);
            }
            else if (timeline.IsFork)
            {
                _forkGuilds[guild] = true;
            }
        }
    }

    /// <summary>Whether a batch can be committed by <see cref="CommitLoggedInOneAsync"/>.</summary>
    private bool FitsOneRoundTrip(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences)
    {
        if (fences.Count > 0)
        {
            return false;
        }

        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            var fits = write is { Kind: StateWriteKind.Set } or { Kind: StateWriteKind.Delete, ExpectedVersion: > 0 };
            var guild = write.Owner.GuildIdOrEmpty;
            if (!fits || write.Owner.Scope == Scope.Global || !_loggedGuilds.ContainsKey(guild) || _forkGuilds.ContainsKey(guild))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The batch in one round trip; <c>Declined</c> when the server refused it (nothing applied) and the two-round-trip
    /// path must decide. A null result asks for another attempt (a repeated commit id whose result is gone). One async
    /// method with its statements and its reading: one state machine per attempt.
    /// </summary>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private async ValueTask<(bool Declined, CommitResult? Result)> CommitLoggedInOneAsync(IReadOnlyList<StateWrite> writes, CommitId commitId, bool last, CancellationToken cancellationToken)
    {
        // A lone unconditional set cannot fail its condition: its statement remembers the commit id and returns the
        // version, and the closing function (with its per-write guilds and offsets) is not needed.
        var alone = writes is [{ Kind: StateWriteKind.Set, ExpectedVersion: null }] && !commitId.IsNone;
        var guilds = GuildsOf(writes);

        // Failing to open a connection applies nothing: the exception passes as it is.
        await using var lease = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var connection = lease.Connection;
        var batch = _commands.RentBatch(connection);
        int leading;
        if (alone)
        {
            AddLockLoggedOne(batch, guilds[0], 1);
            AddLoggedSetAlone(batch, writes[0], commitId);
            leading = 2;
        }
        else
        {
            leading = AddLoggedWrites(batch, writes, guilds, commitId);
        }

        // The rows come from the leading locking statements, then from the last statement: the versions.
        try
        {
            CommitResult result;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < leading; i++)
                {
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }

                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                result = CommitResult.Success(alone ? [reader.GetInt64(0)] : reader.GetFieldValue<long[]>(0));
            }

            _commands.Return(batch);
            return (false, result);
        }
        catch (PostgresException ex) when (!commitId.IsNone && IsRepeatedClaim(ex))
        {
            return (false, await RecallAsync(connection, commitId, last, cancellationToken).ConfigureAwait(false));
        }
        catch (PostgresException ex) when (ex.SqlState != PostgresErrorCodes.DeadlockDetected && !MayHaveCommitted(ex))
        {
            // Refused, or any other error the server answered: the implicit transaction rolled back whole.
            return (true, null);
        }
        catch (Exception ex) when (MayHaveCommitted(ex))
        {
            throw Lost(ex);
        }
    }

    /// <summary>
    /// Adds the guilds' locks and raised heads, each write with its entry in record order, and the closing function;
    /// returns how many locking statements return rows before the closing function's.
    /// </summary>
    private int AddLoggedWrites(NpgsqlBatch batch, IReadOnlyList<StateWrite> writes, string[] guilds, CommitId commitId)
    {
        // Each write's entry goes at its guild's raised head plus its offset: its rank among the guild's writes in
        // batch order, less the guild's number of writes. Every write of the batch is a guild's (FitsOneRoundTrip),
        // so a batch of one guild needs no counting.
        var n = writes.Count;
        var writeGuilds = new string[n];
        var offsets = new long[n];
        Dictionary<string, long>? counts = null;
        if (guilds.Length == 1)
        {
            for (var i = 0; i < n; i++)
            {
                writeGuilds[i] = guilds[0];
                offsets[i] = i + 1 - n;
            }

            AddLockLoggedOne(batch, guilds[0], n);
        }
        else
        {
            counts = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var i = 0; i < n; i++)
            {
                writeGuilds[i] = writes[i].Owner.GuildIdOrEmpty;
                offsets[i] = counts[writeGuilds[i]] = counts.GetValueOrDefault(writeGuilds[i]) + 1;
            }

            for (var i = 0; i < n; i++)
            {
                offsets[i] -= counts[writeGuilds[i]];
            }

            batch.BatchCommands.Add(LockLoggedCommand(guilds, counts));
        }

        // Rented: the lock order is read only while the statements are added.
        var order = ArrayPool<int>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                order[i] = i;
            }

            SortInLockOrder(order.AsSpan(0, n), writes);
            for (var o = 0; o < n; o++)
            {
                var i = order[o];
                AddLoggedWrite(batch, writes[i], commitId, offsets[i]);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
        }

        var finish = PostgresCommandPool.Add(batch, _sql.FinishLogged);
        PostgresParameters.Set(finish, 0, writeGuilds);
        PostgresParameters.Set(finish, 1, offsets);
        AddCommitId(finish, 2, commitId);
        return counts is null ? 2 : 1;
    }

    private NpgsqlBatchCommand LockLoggedCommand(string[] guilds, Dictionary<string, long> counts)
    {
        var open = new NpgsqlBatchCommand(_sql.LockLogged);
        open.Parameters.Add(new NpgsqlParameter<string[]>("locks", [.. guilds.Select(GuildLockName)]));
        open.Parameters.Add(new NpgsqlParameter<string[]>("guilds", guilds));
        open.Parameters.Add(new NpgsqlParameter<long[]>("counts", [.. guilds.Select(guild => counts[guild])]));
        return open;
    }

    /// <summary>
    /// Adds the guild's lock (<see cref="PostgresSql.LockWritingGuild"/>), then its head raised by <paramref name="count"/>
    /// (<see cref="PostgresSql.RaiseLoggedHead"/>): two results before the writes'.
    /// </summary>
    private void AddLockLoggedOne(NpgsqlBatch batch, string guild, long count)
    {
        PostgresParameters.Set(PostgresCommandPool.Add(batch, _sql.LockWritingGuild), 0, guild);
        var parameters = PostgresCommandPool.Add(batch, _sql.RaiseLoggedHead);
        PostgresParameters.Set(parameters, 0, guild);
        PostgresParameters.Set(parameters, 1, count);
    }

    /// <summary>Adds a batch's lone unconditional set, its entry at the guild's raised head, and its commit id (<see cref="PostgresSql.LoggedSetAnyAlone"/>).</summary>
    private void AddLoggedSetAlone(NpgsqlBatch batch, StateWrite write, CommitId commitId)
    {
        var parameters = PostgresCommandPool.Add(batch, ForKey(_sql.LoggedSetAnyAlone, write.Key));
        var next = PostgresParameters.AddWrite(parameters, write, _jsonbWrites);
        AddCommitId(parameters, next, commitId);
        PostgresParameters.Set(parameters, next + 2, 0L);
    }

    /// <summary>Adds a write and its entry at the guild's raised head plus <paramref name="offset"/>, positional (<see cref="PostgresSql.LoggedParameters"/>).</summary>
    private void AddLoggedWrite(NpgsqlBatch batch, StateWrite write, CommitId commitId, long offset)
    {
        var sql = (write.Kind, write.ExpectedVersion) switch
        {
            (StateWriteKind.Set, null) => _sql.LoggedSetAny,
            (StateWriteKind.Set, 0) => _sql.LoggedSetIfAbsent,
            (StateWriteKind.Set, _) => _sql.LoggedSetIfVersion,
            _ => _sql.LoggedDeleteIfVersion,
        };
        var parameters = PostgresCommandPool.Add(batch, ForKey(sql, write.Key));
        var next = PostgresParameters.AddWrite(parameters, write, _jsonbWrites);
        PostgresParameters.Set(parameters, next, commitId.Value);
        PostgresParameters.Set(parameters, next + 1, offset);
    }
}
