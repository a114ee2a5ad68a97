using System.Runtime.CompilerServices;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// Locks: rows with leases by the database clock and per-owner fencing tokens, serialized per owner by an advisory lock.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    public async ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // One round trip, one implicit transaction: the owner's advisory lock first, then the grant in a statement of
        // its own, whose snapshot therefore includes every grant committed before the lock was obtained.
        await using var opened = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var connection = opened.Connection;
        var batch = RentOwnerLocked(connection, owner);
        var grant = PostgresCommandPool.Add(batch, key is null ? _sql.GrantOwnerLock : _sql.GrantKeyLock);
        var next = PostgresParameters.AddRecord(grant, owner, key ?? string.Empty);
        PostgresParameters.Set(grant, next, lease);
        PostgresParameters.SetText(grant, next + 1, holder);
        return await ReadGrantAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var opened = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var connection = opened.Connection;
        var batch = RentOwnerLocked(connection, owner);
        var renew = PostgresCommandPool.Add(batch, ForKey(_sql.RenewLock, key ?? string.Empty));
        var next = PostgresParameters.AddRecord(renew, owner, key ?? string.Empty);
        PostgresParameters.Set(renew, next, lease);
        PostgresParameters.Set(renew, next + 1, token);
        return await ReadGrantAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder))]
    public async ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var opened = await _connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var connection = opened.Connection;
        var batch = _commands.RentBatch(connection);
        var release = PostgresCommandPool.Add(batch, ForKey(_sql.ReleaseLock, key ?? string.Empty));
        PostgresParameters.Set(release, PostgresParameters.AddRecord(release, owner, key ?? string.Empty), token);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _commands.Return(batch);
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
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private async ValueTask<LockGrant?> ReadGrantAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        LockGrant? grant = null;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                grant = new LockGrant(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1));
            }
        }

        _commands.Return(batch);
        return grant;
    }

    /// <summary>A reusable batch on <paramref name="connection"/> holding the owner's exclusive advisory lock (<see cref="PostgresSql.LockOwnerForGrant"/>), for a grant or renewal to follow.</summary>
    private NpgsqlBatch RentOwnerLocked(NpgsqlConnection connection, StateOwner owner)
    {
        var batch = _commands.RentBatch(connection);
        var parameters = PostgresCommandPool.Add(batch, _sql.LockOwnerForGrant);
        PostgresParameters.SetOwner(parameters, owner);
        return batch;
    }

    /// <summary>The text hashed into the owner's advisory lock key: schema, scope, guild and agent (ids cannot hold U+001F).</summary>
    private string OwnerLockName(StateOwner owner) =>
        string.Join('\u001F', _sql.Schema, ((int)owner.Scope).ToString(System.Globalization.CultureInfo.InvariantCulture), owner.GuildIdOrEmpty, owner.AgentIdOrEmpty);
}
