using System.Text.Json.Serialization.Metadata;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

// Writes: set, delete, removing an owner, and the one commit path every write and transaction goes through.
public partial class StateManager
{
    /// <inheritdoc />
    public async ValueTask<long> SetAsync<T>(StateOwner owner, string key, T value, JsonTypeInfo<T> typeInfo, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ValidateKey(owner, key);
        ValidateExpectedVersion(expectedVersion);
        var bytes = Serialize(owner, key, value, typeInfo);
        if (expectedVersion is null && StateSchema.Behind(typeInfo) is { } schema)
        {
            return await SetOverAsync(owner, key, bytes, schema, cancellationToken).ConfigureAwait(false);
        }

        var result = await CommitAsync("set", [new StateWrite(owner, key, StateWriteKind.Set, bytes, expectedVersion)], cancellationToken).ConfigureAwait(false);
        return result.Versions[0];
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

        var result = await CommitAsync("set", [new StateWrite(owner, key, StateWriteKind.Set, bytes, current?.Version ?? 0)], cancellationToken).ConfigureAwait(false);
        return result.Versions[0];
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(StateOwner owner, string key, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ValidateKey(owner, key);
        ValidateExpectedVersion(expectedVersion);
        var result = await CommitAsync("delete", [new StateWrite(owner, key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, expectedVersion)], cancellationToken).ConfigureAwait(false);
        return result.Versions[0] > 0;
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
            throw Translate(ex, "remove", owner, null);
        }
    }

    internal async ValueTask<CommitResult> CommitAsync(string operation, IReadOnlyList<StateWrite> writes, CancellationToken cancellationToken)
    {
        var first = writes[0];
        var tracker = OperationTracker.Start(operation, Driver.Name, writes.Count == 1 ? first.Owner : null, writes.Count == 1 ? first.Key : null);
        try
        {
            var result = await Driver.CommitAsync(writes, _fences, cancellationToken).ConfigureAwait(false);
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

            tracker.Complete();
            return result;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, operation, writes.Count == 1 ? first.Owner : null, writes.Count == 1 ? first.Key : null);
        }
    }
}
