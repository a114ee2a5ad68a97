using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using TypedState.Storage;

namespace TypedState.Sqlite;

// Locks: rows of typedstate_locks with leases by the wall clock of the (shared) machine and per-owner fencing tokens,
// written through the writer like every other write.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken) =>
        new(Writer.Run(
            (owner, key, lease, holder, clock: _clock),
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
                SqliteSession.Bind(write, "$holder", (object?)request.holder ?? DBNull.Value);
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

    /// <inheritdoc />
    public async IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keyset pages of ListPageSize locks, each its own query, so no reader stays open while the caller works.
        HeldLock? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = ReadLocksPage(scope, after);
            foreach (var held in page)
            {
                yield return held;
            }

            if (page.Count < _options.ListPageSize)
            {
                yield break;
            }

            after = page[^1];
            await Task.Yield();
        }
    }

    private List<HeldLock> ReadLocksPage(Scope? scope, HeldLock? after) =>
        InSession((scope, after, limit: (long)_options.ListPageSize, now: _clock.GetUtcNow().ToUnixTimeMilliseconds()), static (session, query) =>
        {
            var sql = (query.scope is null, query.after is null) switch
            {
                (true, true) => SqliteSql.ListLocksFirst,
                (true, false) => SqliteSql.ListLocksNext,
                (false, true) => SqliteSql.ListScopeLocksFirst,
                (false, false) => SqliteSql.ListScopeLocksNext,
            };
            var command = session.Command(sql, null);
            SqliteSession.Bind(command, "$now", query.now);
            SqliteSession.Bind(command, "$limit", query.limit);
            if (query.scope is { } scope)
            {
                SqliteSession.Bind(command, "$scope", (long)scope);
            }

            if (query.after is { } cursor)
            {
                BindLock(command, cursor.Owner, cursor.Key);
            }

            var page = new List<HeldLock>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var owner = StateOwner.FromStored((Scope)reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
                var resource = reader.GetString(3);
                page.Add(new HeldLock(
                    owner,
                    resource.Length == 0 ? null : resource,
                    reader.GetInt64(4),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            return page;
        });

    private static void BindLock(SqliteCommand command, StateOwner owner, string? key)
    {
        SqliteSession.BindOwner(command, owner);
        SqliteSession.Bind(command, "$resource", key ?? string.Empty);
    }
}
