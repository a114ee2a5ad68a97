using System.Diagnostics;
using TypedState.Storage;

namespace TypedState.Sqlite;

// The commit protocol: a batch runs in a write transaction of the writer (SqliteWriter), possibly shared with other
// queued writes; its commit id is looked up first and remembered with it, in the same transaction.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(fences);
        StateWrite.ThrowIfUnknownKind(writes, acceptAppend: true);
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<CommitResult>(Writer.Run(
            new Batch(writes, fences, commitId, _clock, _options.CommitIdRetention),
            static (session, batch) => ApplyBatch(session, batch),
            mayApplyInPart: writes.Count > 1,
            isCommit: true,
            cancellationToken));
    }

    /// <summary>
    /// Applies a batch inside the writer's transaction: a remembered commit id returns its first result and changes
    /// nothing; otherwise fences, then every write in order. Keep is false when nothing is to stay (the writer then
    /// rolls back this batch's changes, whatever else shares the transaction).
    /// </summary>
    private static (CommitResult Result, bool Keep) ApplyBatch(SqliteSession session, Batch batch)
    {
        var now = batch.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var retention = (long)batch.Retention.TotalMilliseconds;
        if (!batch.Id.IsNone && SqliteCommitMemory.Find(session, batch.Id, now) is { } remembered)
        {
            return (CommitResult.Success(remembered), false);
        }

        // The guilds written to that keep a timeline (none: the plain path below, one lookup per guild); a paused
        // guild, or an append to a guild without a timeline, refuses the batch, after the fences, before anything is
        // applied. Only a batch written to one timeline can have kept its id in its entries.
        var timelines = SqliteTimelineWrites.TimelinesOf(session, batch.Writes, out var refused);
        var keepable = SqliteLoggedCommits.CanKeep(batch.Id, batch.Writes, timelines);
        if (!batch.Id.IsNone && (keepable || refused is not null) && SqliteLoggedCommits.Find(session, batch.Id, now - retention) is { } logged)
        {
            return (CommitResult.Success(logged), false);
        }

        for (var i = 0; i < batch.Fences.Count; i++)
        {
            var fence = batch.Fences[i];
            var command = session.Command(fence.Key is null ? SqliteSql.OwnerFenceToken : SqliteSql.KeyFenceToken, null);
            SqliteSession.BindOwner(command, fence.Owner);
            if (fence.Key is not null)
            {
                SqliteSession.Bind(command, "$resource", fence.Key);
            }

            var newest = SqliteSession.ExecuteVersion(command) ?? 0;
            if (newest > fence.Token)
            {
                return (CommitResult.FencedOut(i, newest), false);
            }
        }

        if (refused is { } refusal)
        {
            return (refusal, false);
        }

        var versions = new long[batch.Writes.Count];
        var entry = timelines is null ? default : new SqliteEntryCommit(
            SqliteTimelineWrites.CommitBytes(batch.Id),
            now,
            keepable ? batch.Writes.Count : null);
        var headBefore = timelines is null ? 0 : timelines[0].Head;
        for (var i = 0; i < batch.Writes.Count; i++)
        {
            var write = batch.Writes[i];
            var outcome = write.Owner.Scope != Scope.Global && SqliteTimelineWrites.Find(timelines, write.Owner.GuildIdOrEmpty) is { } timeline
                ? SqliteTimelineWrites.Apply(session, timeline, write, entry)
                : Apply(session, write);
            if (!outcome.Applied)
            {
                return (CommitResult.Conflict(i, outcome.Version), false);
            }

            versions[i] = outcome.Version;
        }

        // A batch whose every write added an entry to its one timeline keeps its id there; any other is remembered here.
        var keptByEntries = entry.Writes is long && timelines![0].Head - headBefore == batch.Writes.Count;
        if (!batch.Id.IsNone && !keptByEntries)
        {
            SqliteCommitMemory.Remember(session, batch.Id, versions, now + retention);
        }

        return (CommitResult.Success(versions), true);
    }

    /// <summary>Applies one conditional write; on a failed condition returns the live version found.</summary>
    private static (bool Applied, long Version) Apply(SqliteSession session, StateWrite write)
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
            var live = LiveVersion(session, write);
            return (write.IsSatisfiedBy(live), live);
        }

        var statement = session.Statement(sql);
        statement.BindRecord(write.Owner, write.Key);
        if (write.Kind == StateWriteKind.Set)
        {
            statement.Bind("$value", write.Value.Span);
        }

        if (write.ExpectedVersion is > 0 and var expected)
        {
            statement.Bind("$expected", expected);
        }

        if (statement.ExecuteVersion() is { } version)
        {
            return (true, version);
        }

        // No row changed: an unconditional delete of an absent key succeeded as a no-op; anything else conflicted.
        if (write is { Kind: StateWriteKind.Delete, ExpectedVersion: null })
        {
            return (true, 0);
        }

        return (false, LiveVersion(session, write));
    }

    private static long LiveVersion(SqliteSession session, StateWrite write)
    {
        var statement = session.Statement(SqliteSql.LiveVersion);
        statement.BindRecord(write.Owner, write.Key);
        return statement.ExecuteVersion() ?? 0;
    }

    /// <summary>A batch as the writer carries it to <see cref="ApplyBatch"/>.</summary>
    private readonly record struct Batch(IReadOnlyList<StateWrite> Writes, IReadOnlyList<StateFence> Fences, CommitId Id, TimeProvider Clock, TimeSpan Retention);
}
