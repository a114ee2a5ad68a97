using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

// Writes: set, delete, removing an owner, and the one commit path every write and transaction goes through.
public partial class StateManager
{
    private static readonly Func<object?, CommitResult, CommitResult> s_resultOf = static (_, result) => result;
    private static readonly Func<object?, CommitResult, long> s_versionOf = static (_, result) => result.Versions[0];
    private static readonly Func<object?, CommitResult, bool> s_existed = static (_, result) => result.Versions[0] > 0;

    // The batch of the next single write (OneWriteBatch): one waits here between writes.
    private OneWriteBatch? _spareBatch;

    /// <summary>The records an ended transaction left for the next one (StateTransaction's), or null.</summary>
    internal object? SpareTransactionRecords;

    /// <inheritdoc />
    /// <remarks>
    /// Not an async method of its own: the checks and the serialization run here and the commit's one state machine
    /// is returned, so a write that waits on the network boxes one state machine in the manager, not two. An error
    /// of the checks is returned in the task, as an async method would.
    /// </remarks>
    public ValueTask<long> SetAsync<T>(StateOwner owner, string key, T value, JsonTypeInfo<T> typeInfo, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        try
        {
            ValidateKey(owner, key);
            ValidateExpectedVersion(expectedVersion);
            bytes = Serialize(owner, key, value, typeInfo);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<long>(ex);
        }

        return expectedVersion is null && StateSchema.Behind(typeInfo) is { } schema
            ? SetOverAsync(owner, key, bytes, schema, cancellationToken)
            : CommitOneAsync("set", new StateWrite(owner, key, StateWriteKind.Set, bytes, expectedVersion), s_versionOf, cancellationToken);
    }

    /// <summary>
    /// A state type's value saved without an expected version: the record is replaced whatever its version, unless
    /// a newer build wrote it (<see cref="StateSchemaTooNewException"/>, never a downgrade). The check and the write
    /// are one conditional write on the version just read, repeated if another writer gets in between.
    /// </summary>
    private async ValueTask<long> SetOverAsync(StateOwner owner, string key, byte[] bytes, StateSchema schema, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt < OptimisticRetry.DefaultMaxAttempts; attempt++)
        {
            try
            {
                return await SetOverOnceAsync(owner, key, bytes, schema, cancellationToken).ConfigureAwait(false);
            }
            catch (StateConflictException)
            {
                // Another writer got in between the read and the write: check what it wrote, then try again.
            }
        }

        // The last attempt lets a conflict out. (Not a `when (attempt < max)` filter on one loop: IDE0059 misreads a
        // counter that only a filter reads once the loop awaits before its try.)
        return await SetOverOnceAsync(owner, key, bytes, schema, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One attempt of <see cref="SetOverAsync"/>: read the record, refuse a newer build's, write on the version read.</summary>
    private async ValueTask<long> SetOverOnceAsync(StateOwner owner, string key, byte[] bytes, StateSchema schema, CancellationToken cancellationToken)
    {
        var current = await GetRecordAsync(owner, key, cancellationToken).ConfigureAwait(false);
        if (current is { } stored)
        {
            schema.EnsureNotNewer(stored.Value.Span, owner, key);
        }

        return await CommitOneAsync("set", new StateWrite(owner, key, StateWriteKind.Set, bytes, current?.Version ?? 0), s_versionOf, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>As <see cref="SetAsync{T}"/>: the checks run here, the commit's state machine is returned.</remarks>
    public ValueTask<bool> DeleteAsync(StateOwner owner, string key, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        try
        {
            ValidateKey(owner, key);
            ValidateExpectedVersion(expectedVersion);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<bool>(ex);
        }

        return CommitOneAsync("delete", new StateWrite(owner, key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, expectedVersion), s_existed, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask RemoveAgentAsync(string guildId, string agentId, CancellationToken cancellationToken = default) =>
        RemoveOwnerAsync(StateOwner.Agent(guildId, agentId), cancellationToken);

    /// <inheritdoc />
    public ValueTask RemoveGuildAsync(string guildId, CancellationToken cancellationToken = default) =>
        RemoveOwnerAsync(StateOwner.Guild(guildId), cancellationToken);

    private async ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        var tracker = OperationTracker.Start("remove", Driver.Name, owner, null);
        try
        {
            await Driver.RemoveOwnerAsync(owner, cancellationToken).ConfigureAwait(false);
            StateLog.OwnerRemoved(Logger, owner);
            tracker.Complete();
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "remove", owner, null, StateWriteOutcome.Unknown);
        }
    }

    /// <summary>Commits <paramref name="writes"/> atomically with this manager's fences; a refusal becomes its typed error.</summary>
    internal ValueTask<CommitResult> CommitAsync(string operation, IReadOnlyList<StateWrite> writes, CancellationToken cancellationToken) =>
        CommitAsync(operation, writes, null, s_resultOf, cancellationToken);

    /// <summary>
    /// Commits one write and returns what <paramref name="answer"/> makes of its result. The write travels in a
    /// one-write list of this manager's, reused once a commit is over.
    /// </summary>
    private ValueTask<TResult> CommitOneAsync<TResult>(string operation, StateWrite write, Func<object?, CommitResult, TResult> answer, CancellationToken cancellationToken) =>
        CommitAsync(operation, OneWriteBatch.Of(write, ref _spareBatch), null, answer, cancellationToken);

    /// <summary>
    /// The one commit path every write and transaction goes through: the driver's commit, the recovery of a lost
    /// answer, the refusal's typed error; then <paramref name="complete"/> turns the result, with
    /// <paramref name="state"/>, into the caller's answer. One async method for all, so that a write waiting on the
    /// network boxes one state machine here, whatever the caller's answer type.
    /// </summary>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    internal async ValueTask<TResult> CommitAsync<TState, TResult>(string operation, IReadOnlyList<StateWrite> writes, TState state, Func<TState, CommitResult, TResult> complete, CancellationToken cancellationToken)
    {
        var first = writes[0];
        var single = writes.Count == 1;
        var tracker = OperationTracker.Start(operation, Driver.Name, single ? first.Owner : null, single ? first.Key : null);
        var outcome = StateWriteOutcome.NotApplied;
        CommitResult result;
        try
        {
            var commitId = CommitId.New();
            try
            {
                result = await Driver.CommitAsync(writes, _fences, commitId, cancellationToken).ConfigureAwait(false);
            }
            catch (CommitOutcomeUnknownException lost)
            {
                outcome = StateWriteOutcome.Unknown;
                result = await RecoverCommitAsync(operation, writes, commitId, lost, cancellationToken).ConfigureAwait(false);
                outcome = StateWriteOutcome.NotApplied;
            }

            ThrowIfRefused(result, writes);
            outcome = StateWriteOutcome.Applied;
            tracker.Complete();
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw TranslateCommit(ex, operation, writes, outcome);
        }

        // Applied: the driver holds a single write's batch no longer, the next write may take it.
        (writes as OneWriteBatch)?.Release(ref _spareBatch);
        return complete(state, result);
    }

    /// <summary>
    /// Repeats a batch whose answer was lost, under its commit id, until the driver answers: the driver either
    /// remembers the id (applied, its result returned) or applies the batch now, or refuses it (not applied).
    /// Gives up with <see cref="CommitOutcomeUnknownException"/> after <see cref="StateManagerOptions.CommitRecoveryTimeout"/>.
    /// </summary>
    private async ValueTask<CommitResult> RecoverCommitAsync(string operation, IReadOnlyList<StateWrite> writes, CommitId commitId, CommitOutcomeUnknownException lost, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(Options.CommitRecoveryTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        var last = (Exception)lost;
        for (var attempt = 1; ; attempt++)
        {
            StateLog.CommitOutcomeUnknown(Logger, operation, Driver.Name, commitId, attempt, last);
            var remaining = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw lost == last ? lost : new CommitOutcomeUnknownException(lost.Message, last);
            }

            // Grow the pause between attempts (a restarting server needs a moment), never past the deadline.
            var pause = TimeSpan.FromMilliseconds(Math.Min(50 * (1 << Math.Min(attempt - 1, 5)), 1000));
            await Task.Delay(pause < remaining ? pause : remaining, cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await Driver.CommitAsync(writes, _fences, commitId, cancellationToken).ConfigureAwait(false);
                StateLog.CommitOutcomeResolved(Logger, operation, commitId, attempt + 1, result.Succeeded ? "applied once" : "not applied");
                return result;
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or ArgumentException or ObjectDisposedException or StateException))
            {
                // Still unreachable or still no answer: the first attempt's fate stays unknown.
                last = ex;
            }
        }
    }

    /// <summary>Turns a refused batch into the typed error that names the failing fence or write.</summary>
    private void ThrowIfRefused(CommitResult result, IReadOnlyList<StateWrite> writes)
    {
        if (result.Failure == CommitFailure.Fence)
        {
            var fence = _fences[result.ConflictIndex];
            throw new StateLockException(
                StateLockFailure.FencedOut,
                fence.Owner,
                fence.Key,
                fence.Token,
                result.ActualVersion,
                $"The write was refused: it holds fencing token {fence.Token}, but a newer lock (token {result.ActualVersion}) was granted since, so its lease had expired. Nothing was applied.");
        }

        if (result.Failure == CommitFailure.Timeline)
        {
            var refused = writes[result.ConflictIndex];
            var guildId = refused.Owner.GuildIdOrEmpty;
            throw result.ActualVersion < 0
                ? new StateTimelineException(TimelineFailure.NotStarted, guildId, null, $"The event was not appended: guild '{guildId}' has no timeline (start it first). Nothing of the batch was applied.", refused.Owner, refused.Key)
                : new StateTimelineException(TimelineFailure.Paused, guildId, result.ActualVersion, $"The write was refused: guild '{guildId}' is paused at sequence {result.ActualVersion}. Nothing of the batch was applied.", refused.Owner, refused.Key);
        }

        if (!result.Succeeded)
        {
            var failed = writes[result.ConflictIndex];
            StateLog.Conflict(Logger, failed.Owner, failed.Key, failed.ExpectedVersion, result.ActualVersion);
            throw new StateConflictException(failed.Owner, failed.Key, failed.ExpectedVersion, result.ActualVersion);
        }

        if (result.Versions.Count != writes.Count)
        {
            throw new InvalidOperationException($"The {Driver.Name} driver returned {result.Versions.Count} versions for a batch of {writes.Count}.");
        }
    }

    /// <summary>
    /// The error a failed commit reports: state errors pass through; a cancellation while the outcome is unknown
    /// becomes an Unknown driver error (an OperationCanceledException would suggest nothing was stored).
    /// </summary>
    private Exception TranslateCommit(Exception exception, string operation, IReadOnlyList<StateWrite> writes, StateWriteOutcome outcome)
    {
        if (exception is CommitOutcomeUnknownException || (outcome == StateWriteOutcome.Unknown && exception is OperationCanceledException))
        {
            outcome = StateWriteOutcome.Unknown;
        }
        else if (exception is StateException or OperationCanceledException or ArgumentException or ObjectDisposedException)
        {
            return exception.Rethrowable();
        }

        var inner = exception is CommitOutcomeUnknownException { InnerException: { } driverError } ? driverError : exception;
        if (writes.Count == 1)
        {
            StateLog.DriverFailure(Logger, Driver.Name, operation, writes[0].Owner.ToString(), inner);
            return new StateDriverException(Driver.Name, operation, writes[0].Owner, writes[0].Key, outcome, inner);
        }

        StateLog.DriverFailure(Logger, Driver.Name, operation, "(batch)", inner);
        return new StateDriverException(Driver.Name, operation, writes, outcome, inner);
    }
}
