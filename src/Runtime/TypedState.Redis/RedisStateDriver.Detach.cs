using StackExchange.Redis;
using TypedState.Timeline;

namespace TypedState.Redis;

// Detaching a fork: its records are its own already; its history as of the fork point is copied from the source in
// bounded pages (RedisScripts.TimelineDetach.cs), then one script drops the link.
public sealed partial class RedisStateDriver
{
    /// <summary>Called after each page a detach copies; for tests.</summary>
    internal Func<CancellationToken, ValueTask>? DetachPageWritten { get; set; }

    /// <inheritdoc />
    /// <remarks>
    /// Costs O(records and record versions the source's history holds up to the fork point), like the fork did,
    /// <see cref="TimelinePage"/> history members per script. A copy cut short changes no read (see
    /// RedisScripts.TimelineDetach.cs) and is redone by the next detach; only the last script makes it take effect.
    /// </remarks>
    public async ValueTask<GuildTimeline> DetachAsync(string forkGuildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(forkGuildId);
        var begun = await EvaluateAsync(RedisScripts.DetachBegin, [_root, forkGuildId], cancellationToken).ConfigureAwait(false);
        ThrowIfDetachRefused(begun, forkGuildId);
        var (source, point) = ((string)begun[1]!, (long)begun[2]);
        await foreach (var page in ScanPagesAsync(RedisScripts.DetachCopy, source, point, "-", "+", [forkGuildId], cancellationToken).ConfigureAwait(false))
        {
            ThrowIfDetachRefused(page, forkGuildId);
            if (DetachPageWritten is { } pageWritten)
            {
                await pageWritten(cancellationToken).ConfigureAwait(false);
            }
        }

        var published = await EvaluateAsync(RedisScripts.DetachPublish, [_root, forkGuildId, point], cancellationToken).ConfigureAwait(false);
        ThrowIfDetachRefused(published, forkGuildId);
        LogDetached(forkGuildId, source, point);
        return Describe(forkGuildId, published, 1);
    }

    private static void ThrowIfDetachRefused(RedisResult[] reply, string guildId)
    {
        switch ((long)reply[0])
        {
            case -6 when reply.Length > 1:
                throw new StateTimelineException(
                    TimelineFailure.NotAFork, guildId, (long)reply[1], $"Guild '{guildId}' was not detached: its timeline is not a fork, so there is no source to detach it from.");
            case -6:
                throw new StateException($"Guild '{guildId}' was not detached: its timeline changed while it was being detached (detached by another client?); nothing was changed.");
            case -7:
                var (fork, forkSequence, point) = ((string)reply[1]!, (long)reply[2], (long)reply[3]);
                throw new StateTimelineException(
                    TimelineFailure.HasForks,
                    guildId,
                    point,
                    $"Guild '{guildId}' was not detached: its fork '{fork}' was forked at sequence {forkSequence}, below its fork point {point}, and reads its source through it there. Detach '{fork}' first (IGuildTimelines.DetachAsync).");
            default:
                ThrowIfRefused(reply, guildId, null);
                return;
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 308, Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Detached guild '{Fork}' from '{Source}' at sequence {Sequence}")]
    private partial void LogDetached(string fork, string source, long sequence);
}
