using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// Locks: rows with leases by the database clock and per-owner fencing tokens, serialized per owner by an advisory lock.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    public async ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken)
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
    public async ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(_sql.ReleaseLock);
        PostgresParameters.AddLock(command.Parameters, owner, key);
        command.Parameters.Add(new NpgsqlParameter<long>("token", token));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a lock batch (the owner's advisory lock, then a statement returning token and expiry) and reads its row, if any.</summary>
    private static async Task<LockGrant?> ReadGrantAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
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
