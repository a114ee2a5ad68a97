using Microsoft.Data.Sqlite;
using TypedState.Storage;

namespace TypedState.Sqlite;

// Locks: rows of typedstate_locks with leases by the wall clock of the (shared) machine and per-owner fencing tokens,
// written through the writer like every other write.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken) =>
        new(Writer.Run(
            (owner, key, lease, clock: _clock),
            static (session, request) =>
            {
                var now = request.clock.GetUtcNow();
                var conflict = session.Command(request.key is null ? SqliteSql.OwnerLockConflict : SqliteSql.KeyLockConflict, null);
                BindLock(conflict, request.owner, request.key);
                SqliteSession.Bind(conflict, "$now", now.ToUnixTimeMilliseconds());
                if (SqliteSession.ExecuteVersion(conflict) is not null)
                {
                    return ((LockGrant?)null, false);
                }

                var next = session.Command(SqliteSql.NextLockToken, null);
                SqliteSession.BindOwner(next, request.owner);
                var grant = new LockGrant(SqliteSession.ExecuteVersion(next) ?? 1, now + request.lease);
                var write = session.Command(SqliteSql.GrantLock, null);
                BindLock(write, request.owner, request.key);
                SqliteSession.Bind(write, "$token", grant.Token);
                SqliteSession.Bind(write, "$expires", grant.ExpiresAt.ToUnixTimeMilliseconds());
                write.ExecuteNonQuery();
                return (grant, true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));

    /// <inheritdoc />
    public ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken) =>
        new(Writer.Run(
            (owner, key, token, lease, clock: _clock),
            static (session, request) =>
            {
                var now = request.clock.GetUtcNow();
                var command = session.Command(SqliteSql.RenewLock, null);
                BindLock(command, request.owner, request.key);
                SqliteSession.Bind(command, "$token", request.token);
                SqliteSession.Bind(command, "$now", now.ToUnixTimeMilliseconds());
                SqliteSession.Bind(command, "$expires", (now + request.lease).ToUnixTimeMilliseconds());
                var renewed = SqliteSession.ExecuteVersion(command) is not null;
                return (renewed ? new LockGrant(request.token, now + request.lease) : (LockGrant?)null, renewed);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));

    /// <inheritdoc />
    public ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken) =>
        new(Writer.Run(
            (owner, key, token),
            static (session, request) =>
            {
                var command = session.Command(SqliteSql.ReleaseLock, null);
                BindLock(command, request.owner, request.key);
                SqliteSession.Bind(command, "$token", request.token);
                return (command.ExecuteNonQuery(), true);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));

    private static void BindLock(SqliteCommand command, StateOwner owner, string? key)
    {
        SqliteSession.BindOwner(command, owner);
        SqliteSession.Bind(command, "$resource", key ?? string.Empty);
    }
}
