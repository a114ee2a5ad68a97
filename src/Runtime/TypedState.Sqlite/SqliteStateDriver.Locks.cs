using Microsoft.Data.Sqlite;
using TypedState.Storage;

namespace TypedState.Sqlite;

// Locks: rows of typedstate_locks with leases by the wall clock of the (shared) machine and per-owner fencing tokens.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<LockGrant?>(InSession((owner, key, lease, clock: _clock), static (session, request) =>
        {
            using var transaction = session.Connection.BeginTransaction(deferred: false);
            var now = request.clock.GetUtcNow();
            var conflict = session.Command(request.key is null ? SqliteSql.OwnerLockConflict : SqliteSql.KeyLockConflict, transaction);
            BindLock(conflict, request.owner, request.key);
            SqliteSession.Bind(conflict, "$now", now.ToUnixTimeMilliseconds());
            if (SqliteSession.ExecuteVersion(conflict) is not null)
            {
                transaction.Rollback();
                return (LockGrant?)null;
            }

            var next = session.Command(SqliteSql.NextLockToken, transaction);
            SqliteSession.BindOwner(next, request.owner);
            var grant = new LockGrant(SqliteSession.ExecuteVersion(next) ?? 1, now + request.lease);
            var write = session.Command(SqliteSql.GrantLock, transaction);
            BindLock(write, request.owner, request.key);
            SqliteSession.Bind(write, "$token", grant.Token);
            SqliteSession.Bind(write, "$expires", grant.ExpiresAt.ToUnixTimeMilliseconds());
            write.ExecuteNonQuery();
            transaction.Commit();
            return grant;
        }));
    }

    /// <inheritdoc />
    public ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<LockGrant?>(InSession((owner, key, token, lease, clock: _clock), static (session, request) =>
        {
            var now = request.clock.GetUtcNow();
            var command = session.Command(SqliteSql.RenewLock, null);
            BindLock(command, request.owner, request.key);
            SqliteSession.Bind(command, "$token", request.token);
            SqliteSession.Bind(command, "$now", now.ToUnixTimeMilliseconds());
            SqliteSession.Bind(command, "$expires", (now + request.lease).ToUnixTimeMilliseconds());
            return SqliteSession.ExecuteVersion(command) is null ? (LockGrant?)null : new LockGrant(request.token, now + request.lease);
        }));
    }

    /// <inheritdoc />
    public ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        InSession((owner, key, token), static (session, request) =>
        {
            var command = session.Command(SqliteSql.ReleaseLock, null);
            BindLock(command, request.owner, request.key);
            SqliteSession.Bind(command, "$token", request.token);
            return command.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    private static void BindLock(SqliteCommand command, StateOwner owner, string? key)
    {
        SqliteSession.BindOwner(command, owner);
        SqliteSession.Bind(command, "$resource", key ?? string.Empty);
    }
}
