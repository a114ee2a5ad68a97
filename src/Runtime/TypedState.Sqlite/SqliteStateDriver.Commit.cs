using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using TypedState.Storage;

namespace TypedState.Sqlite;

// The commit protocol: a single write as one conditional statement, a batch as one BEGIN IMMEDIATE transaction.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes);
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<CommitResult>(InSession((writes, fences), static (session, batch) =>
            batch.writes.Count == 1 && batch.fences.Count == 0
                ? CommitOne(session, batch.writes[0])
                : CommitBatch(session, batch.writes, batch.fences)));
    }

    private static CommitResult CommitOne(SqliteSession session, StateWrite write)
    {
        var outcome = Apply(session, null, write);
        return outcome.Applied
            ? CommitResult.Success([outcome.Version])
            : CommitResult.Conflict(0, outcome.Version);
    }

    private static CommitResult CommitBatch(SqliteSession session, IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences)
    {
        // BEGIN IMMEDIATE takes the write lock up front, so the checks and the writes see one state of the file.
        using var transaction = session.Connection.BeginTransaction(deferred: false);
        for (var i = 0; i < fences.Count; i++)
        {
            var fence = fences[i];
            var command = session.Command(fence.Key is null ? SqliteSql.OwnerFenceToken : SqliteSql.KeyFenceToken, transaction);
            SqliteSession.BindOwner(command, fence.Owner);
            if (fence.Key is not null)
            {
                SqliteSession.Bind(command, "$resource", fence.Key);
            }

            var newest = SqliteSession.ExecuteVersion(command) ?? 0;
            if (newest > fence.Token)
            {
                transaction.Rollback();
                return CommitResult.FencedOut(i, newest);
            }
        }

        var versions = new long[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            var outcome = Apply(session, transaction, writes[i]);
            if (!outcome.Applied)
            {
                transaction.Rollback();
                return CommitResult.Conflict(i, outcome.Version);
            }

            versions[i] = outcome.Version;
        }

        transaction.Commit();
        return CommitResult.Success(versions);
    }

    /// <summary>Applies one conditional write; on a failed condition returns the live version found.</summary>
    private static (bool Applied, long Version) Apply(SqliteSession session, SqliteTransaction? transaction, StateWrite write)
    {
        var sql = (write.Kind, write.ExpectedVersion) switch
        {
            (StateWriteKind.Set, null) => SqliteSql.SetAny,
            (StateWriteKind.Set, 0) => SqliteSql.SetIfAbsent,
            (StateWriteKind.Set, _) => SqliteSql.SetIfVersion,
            (StateWriteKind.Delete, null) => SqliteSql.DeleteAny,
            (StateWriteKind.Delete, 0) => null,
            (StateWriteKind.Delete, _) => SqliteSql.DeleteIfVersion,
            (StateWriteKind.Check, _) => null,
            _ => throw new UnreachableException("Write kinds are checked before the batch is applied."),
        };

        if (sql is null)
        {
            // A check, or a delete that requires absence: nothing to write, only the condition to verify.
            var live = LiveVersion(session, transaction, write);
            return (write.IsSatisfiedBy(live), live);
        }

        var command = session.Command(sql, transaction);
        SqliteSession.BindRecord(command, write.Owner, write.Key);
        if (write.Kind == StateWriteKind.Set)
        {
            SqliteSession.Bind(command, "$value", AsArray(write.Value));
        }

        if (write.ExpectedVersion is > 0 and var expected)
        {
            SqliteSession.Bind(command, "$expected", expected);
        }

        if (SqliteSession.ExecuteVersion(command) is { } version)
        {
            return (true, version);
        }

        // No row changed: an unconditional delete of an absent key succeeded as a no-op; anything else conflicted.
        if (write is { Kind: StateWriteKind.Delete, ExpectedVersion: null })
        {
            return (true, 0);
        }

        return (false, LiveVersion(session, transaction, write));
    }

    /// <summary>The core hands over whole arrays it never reuses, so they bind without a copy.</summary>
    private static byte[] AsArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    private static long LiveVersion(SqliteSession session, SqliteTransaction? transaction, StateWrite write)
    {
        var command = session.Command(SqliteSql.LiveVersion, transaction);
        SqliteSession.BindRecord(command, write.Owner, write.Key);
        return SqliteSession.ExecuteVersion(command) ?? 0;
    }
}
