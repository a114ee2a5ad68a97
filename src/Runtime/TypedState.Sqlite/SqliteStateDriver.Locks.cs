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
                var conflict = session.Statement(request.key is null ? SqliteSql.OwnerLockConflict : SqliteSql.KeyLockConflict);
                conflict.BindOwner(request.owner);
                if (request.key is not null)
                {
                    conflict.Bind("$resource", request.key);
                }

                conflict.Bind("$now", now.ToUnixTimeMilliseconds());
                if (conflict.ExecuteVersion() is not null)
                {
                    return ((LockGrant?)null, false);
                }

                var next = session.Statement(SqliteSql.NextLockToken);
                next.BindOwner(request.owner);
                var grant = new LockGrant(next.ExecuteVersion() ?? 1, now + request.lease);
                var write = session.Statement(SqliteSql.GrantLock);
                BindLock(write, request.owner, request.key);
                write.Bind("$token", grant.Token);
                write.Bind("$expires", grant.ExpiresAt.ToUnixTimeMilliseconds());
                if (request.holder is null)
                {
                    write.BindNull("$holder");
                }
                else
                {
                    write.Bind("$holder", request.holder);
                }

                write.Execute();
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
                var statement = session.Statement(SqliteSql.RenewLock);
                BindLock(statement, request.owner, request.key);
                statement.Bind("$token", request.token);
                statement.Bind("$now", now.ToUnixTimeMilliseconds());
                statement.Bind("$expires", (now + request.lease).ToUnixTimeMilliseconds());
                var renewed = statement.ExecuteVersion() is not null;
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
                var statement = session.Statement(SqliteSql.ReleaseLock);
                BindLock(statement, request.owner, request.key);
                statement.Bind("$token", request.token);
                statement.Execute();
                return (statement.Changes, true);
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

    private static void BindLock(SqliteStatement statement, StateOwner owner, string? key)
    {
        statement.BindOwner(owner);
        statement.Bind("$resource", key ?? string.Empty);
    }

    private static void BindLock(SqliteCommand command, StateOwner owner, string? key)
    {
        SqliteSession.BindOwner(command, owner);
        SqliteSession.Bind(command, "$resource", key ?? string.Empty);
    }
}
