using System.Runtime.CompilerServices;
using StackExchange.Redis;
using TypedState.Timeline;

namespace TypedState.Redis;

// Forks and pruning. Redis keeps no versions of a key, so a fork is materialised: the records its source held at the
// fork point are copied into a key space the new guild does not use yet, one bounded script per page, and a last
// script makes that space the guild's, so a half-made fork is never visible. Its history up to the fork point is read
// through its source, like the other drivers'.
public sealed partial class RedisStateDriver
{
    /// <summary>Called after each page a fork copies; for tests.</summary>
    internal Func<CancellationToken, ValueTask>? ForkPageWritten { get; set; }

    /// <inheritdoc />
    /// <remarks>
    /// Costs O(records and record versions the source's history holds up to the fork point): the history is scanned
    /// and the state as of the point copied on the server, <see cref="TimelinePage"/> history members per script, so no script
    /// blocks the server for long; the entries are not copied. A build that fails is queued for deletion; one whose
    /// process died is abandoned by the first fork begun more than ten minutes after its last step.
    /// </remarks>
    public async ValueTask<GuildTimeline> ForkAsync(string sourceGuildId, long atSequence, string newGuildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(newGuildId);
        ArgumentOutOfRangeException.ThrowIfNegative(atSequence);
        await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        if (_cluster)
        {
            // A fork reads its source's history and copies its records: both guilds' names in one script.
            throw new CrossSlotTransactionException([StateOwner.Guild(sourceGuildId), StateOwner.Guild(newGuildId)], StateOwner.Guild(newGuildId), null);
        }

        var begun = await EvaluateAsync(RedisScripts.ForkBegin, [_root, sourceGuildId, atSequence, newGuildId], cancellationToken).ConfigureAwait(false);
        ThrowIfForkRefused(begun, sourceGuildId, atSequence, newGuildId);
        var sid = (long)begun[1];
        try
        {
            await foreach (var page in ScanPagesAsync(RedisScripts.ForkCopy, sourceGuildId, atSequence, "-", "+", [newGuildId, sid], cancellationToken).ConfigureAwait(false))
            {
                ThrowIfForkRefused(page, sourceGuildId, atSequence, newGuildId);
                if (ForkPageWritten is { } pageWritten)
                {
                    await pageWritten(cancellationToken).ConfigureAwait(false);
                }
            }

            var published = await EvaluateAsync(RedisScripts.ForkPublish, [_root, sourceGuildId, atSequence, newGuildId, sid], cancellationToken).ConfigureAwait(false);
            ThrowIfForkRefused(published, sourceGuildId, atSequence, newGuildId);
            LogForked(sourceGuildId, atSequence, newGuildId);
            return Describe(newGuildId, published, 1);
        }
        catch
        {
            // A refused publication abandoned the build already (abandoning is idempotent); the build is deleted now.
            await AbandonForkAsync(newGuildId, sid).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<GuildTimeline> ListForksAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reply = await EvaluateAsync(RedisScripts.ListForks, [_root, guildId], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, null);
        for (var i = 2; i < reply.Length; i += 7)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Describe((string)reply[i]!, reply, i + 2);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Takes effect in one script (states below the horizon are refused from then on), then deletes what the horizon
    /// no longer needs in steps of <see cref="TimelinePage"/> entries: O(entries pruned) in all. Steps a failure
    /// leaves undone are finished by the next prune of the guild.
    /// </remarks>
    public async ValueTask<GuildTimeline> PruneAsync(string guildId, long horizon, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(horizon);
        var reply = await EvaluateAsync(RedisScripts.PruneStart, [_root, guildId, horizon], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, horizon);
        while ((long)(await EvaluateRawAsync(RedisScripts.PruneStep, [_root, guildId, TimelinePage], cancellationToken).ConfigureAwait(false)) > 0)
        {
        }

        return Describe(guildId, reply, 1);
    }

    /// <summary>Queues a failed fork build for deletion and deletes it, best effort (a failure leaves it queued).</summary>
    private async ValueTask AbandonForkAsync(string newGuildId, long sid)
    {
        try
        {
            var database = await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
            await RedisScriptCalls.RunAsync(database, RedisScripts.ForkAbandon, GuildRoute(newGuildId), [_root, newGuildId, sid]).ConfigureAwait(false);
            await DeleteRemovedAsync(database, _keys.GuildRoot(RedisKeys.GuildTag(newGuildId)), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogForkAbandonFailed(newGuildId, ex);
        }
    }

    private async ValueTask<RedisResult> EvaluateRawAsync(string script, RedisValue[] args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await RedisScriptCalls.RunAsync(database, script, GuildRoute((string)args[1]!), args).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void ThrowIfForkRefused(RedisResult[] reply, string sourceGuildId, long atSequence, string newGuildId)
    {
        switch ((long)reply[0])
        {
            case -4:
                throw new StateTimelineException(
                    TimelineFailure.GuildExists,
                    newGuildId,
                    atSequence,
                    $"Guild '{sourceGuildId}' was not forked: the target guild '{newGuildId}' already holds state or a timeline.");
            case -5:
                throw new StateException($"The fork into guild '{newGuildId}' was abandoned while it was being copied (no step for ten minutes); nothing was forked.");
            default:
                ThrowIfRefused(reply, sourceGuildId, atSequence);
                return;
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 306, Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Forked guild '{Source}' at sequence {Sequence} into '{Fork}'")]
    private partial void LogForked(string source, long sequence, string fork);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 307, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "A failed fork into guild '{Fork}' could not be queued for deletion; the next fork begun ten minutes after it deletes it")]
    private partial void LogForkAbandonFailed(string fork, Exception exception);
}
