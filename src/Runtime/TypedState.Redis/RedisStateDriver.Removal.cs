using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace TypedState.Redis;

// Owner removal: one short script moves the owner to a new key space, which is where the removal takes effect, then
// bounded steps delete the old space, each one script, so other clients are served between them.
public sealed partial class RedisStateDriver
{
    /// <summary>Called after each deletion step of a removal with the step's number (1, 2, …); for tests.</summary>
    internal Func<int, CancellationToken, ValueTask>? RemovalBatchCompleted { get; set; }

    /// <inheritdoc />
    /// <remarks>
    /// The removal takes effect atomically in its first script: the owner's later records live under new names, and
    /// its guild's version floor rises above every version handed out. The old records are then deleted in steps of
    /// <see cref="RedisStateDriverOptions.RemovalBatchSize"/>; the call returns when none is left. If it is canceled or
    /// loses the connection during those steps it still returns (the removal has taken effect); what is left stays
    /// queued on the server, and the next removal by any driver of the prefix finishes it.
    /// </remarks>
    public async ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        var mode = owner.Scope switch
        {
            Scope.Agent => "a",
            Scope.Guild => "g",
            _ => throw new ArgumentException("Global state is never removed implicitly.", nameof(owner)),
        };
        cancellationToken.ThrowIfCancellationRequested();
        var ownerKeys = _owners.For(owner);
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var started = (RedisResult[])(await RedisScriptCalls.RunAsync(database, RedisScripts.StartRemoval, [ownerKeys.Marker], [_root, mode, ownerKeys.Tag, ownerKeys.GuildTag, ownerKeys.Member])
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false))!;
        if ((long)started[0] == 2)
        {
            throw new StateTimelineException(
                TimelineFailure.HasForks,
                owner.GuildIdOrEmpty,
                (long)started[1],
                $"The guild was not removed: its timeline has live forks ({string.Join(", ", started.Skip(2).Select(static fork => (string)fork!))}) that still read through it. Detach them first (IGuildTimelines.DetachAsync), or remove them.");
        }

        var deleted = await DeleteRemovedAsync(database, ownerKeys.Root, cancellationToken).ConfigureAwait(false);
        LogRemoved(owner, deleted);
    }

    /// <summary>Works through a root's queue of removed key spaces, one bounded script per step, until it is empty.</summary>
    private async ValueTask<long> DeleteRemovedAsync(IDatabase database, string root, CancellationToken cancellationToken)
    {
        var deleted = 0L;
        RedisKey[] route = [RedisKeys.Marker(root)];
        RedisValue[] args = [root, RemovalBatchSize];
        for (var step = 1; ; step++)
        {
            RedisResult[] reply;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                reply = (RedisResult[])(await RedisScriptCalls.RunAsync(database, RedisScripts.CollectRemoved, route, args)
                    .WaitAsync(cancellationToken)
                    .ConfigureAwait(false))!;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
            {
                LogDeletionInterrupted(KeyPrefix, ex);
                return deleted;
            }

            deleted += (long)reply[0];
            if (RemovalBatchCompleted is { } completed)
            {
                await completed(step, cancellationToken).ConfigureAwait(false);
            }

            if ((long)reply[1] == 0)
            {
                return deleted;
            }
        }
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "Removed {Owner}; deleted {Count} Redis records and tombstones")]
    private partial void LogRemoved(StateOwner owner, long count);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Deleting removed Redis records of key prefix '{KeyPrefix}' was interrupted; the removal has taken effect, and the next removal deletes the rest")]
    private partial void LogDeletionInterrupted(string keyPrefix, Exception exception);
}
