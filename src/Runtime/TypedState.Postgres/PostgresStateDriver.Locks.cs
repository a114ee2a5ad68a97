using System.Runtime.CompilerServices;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// Locks: rows with leases by the database clock and per-owner fencing tokens, serialized per owner by an advisory lock.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // One round trip, one implicit transaction: the owner's advisory lock first, then the grant in a statement of
        // its own, whose snapshot therefore includes every grant committed before the lock was obtained.
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(OwnerLock(PostgresSql.LockOwnerExclusive, owner));
        var grant = new NpgsqlBatchCommand(key is null ? _sql.GrantOwnerLock : _sql.GrantKeyLock);
        PostgresParameters.AddLock(grant.Parameters, owner, key);
        grant.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        grant.Parameters.Add(new NpgsqlParameter("holder", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)holder ?? DBNull.Value });
        batch.BatchCommands.Add(grant);
        return await ReadGrantAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(OwnerLock(PostgresSql.LockOwnerExclusive, owner));
        var renew = new NpgsqlBatchCommand(_sql.RenewLock);
        PostgresParameters.AddLock(renew.Parameters, owner, key);
        renew.Parameters.Add(new NpgsqlParameter<long>("token", token));
        renew.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        batch.BatchCommands.Add(renew);
        return await ReadGrantAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(_sql.ReleaseLock);
        PostgresParameters.AddLock(command.Parameters, owner, key);
        command.Parameters.Add(new NpgsqlParameter<long>("token", token));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // Keyset pages of ListPageSize locks, each its own query: no connection is held while the caller works.
        HeldLock? after = null;
        while (true)
        {
            var page = await ReadLocksPageAsync(scope, after, cancellationToken).ConfigureAwait(false);
            foreach (var held in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return held;
            }

            if (page.Count < _pageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    private async Task<List<HeldLock>> ReadLocksPageAsync(Scope? scope, HeldLock? after, CancellationToken cancellationToken)
    {
        var sql = (scope is null, after is null) switch
        {
            (true, true) => _sql.ListLocksFirst,
            (true, false) => _sql.ListLocksNext,
            (false, true) => _sql.ListScopeLocksFirst,
            (false, false) => _sql.ListScopeLocksNext,
        };
        await using var command = _dataSource.CreateCommand(sql);
        if (after is { } cursor)
        {
            PostgresParameters.AddLock(command.Parameters, cursor.Owner, cursor.Key);
        }
        else if (scope is { } only)
        {
            command.Parameters.Add(new NpgsqlParameter<short>("scope", (short)only));
        }

        command.Parameters.Add(new NpgsqlParameter<int>("limit", _pageSize));
        var page = new List<HeldLock>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var resource = reader.GetString(3);
            page.Add(new HeldLock(
                StateOwner.FromStored((Scope)reader.GetInt16(0), reader.GetString(1), reader.GetString(2)),
                resource.Length == 0 ? null : resource,
                reader.GetInt64(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                await reader.IsDBNullAsync(6, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(6)));
        }

        return page;
    }

    /// <summary>Runs a lock batch (the owner's advisory lock, then a statement returning token and expiry) and reads its row, if any.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<LockGrant?> ReadGrantAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new LockGrant(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1));
    }

    private NpgsqlBatchCommand OwnerLock(string sql, StateOwner owner)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("lock", OwnerLockName(owner)));
        return command;
    }

    /// <summary>The text hashed into the owner's advisory lock key: schema, scope, guild and agent (ids cannot hold U+001F).</summary>
    private string OwnerLockName(StateOwner owner) =>
        string.Join('\u001F', _sql.Schema, ((int)owner.Scope).ToString(System.Globalization.CultureInfo.InvariantCulture), owner.GuildIdOrEmpty, owner.AgentIdOrEmpty);
}
