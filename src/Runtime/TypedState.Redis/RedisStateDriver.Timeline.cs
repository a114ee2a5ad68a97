using System.Runtime.CompilerServices;
using StackExchange.Redis;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Redis;

// Guild timelines: starting, describing, pausing and resuming one, and reading its entries. Each operation is one
// script (reads of many entries page), under the prefix's hash tag like the records (RedisKeys has the names).
public sealed partial class RedisStateDriver : ITimelineSnapshotDriver
{
    /// <summary>How many entries or history members one timeline script reads or deletes.</summary>
    private const int TimelinePage = 1000;

    /// <inheritdoc />
    public async ValueTask<GuildTimeline> StartTimelineAsync(string guildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(guildId);
        var reply = await EvaluateAsync(RedisScripts.StartTimeline, [_root, guildId], cancellationToken).ConfigureAwait(false);
        return Describe(guildId, reply, 1);
    }

    /// <inheritdoc />
    public async ValueTask<GuildTimeline?> ReadTimelineAsync(string guildId, CancellationToken cancellationToken)
    {
        var reply = await EvaluateAsync(RedisScripts.TimelineState, [_root, guildId, string.Empty], cancellationToken).ConfigureAwait(false);
        return (long)reply[0] == 0 ? Describe(guildId, reply, 1) : null;
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> PauseAsync(string guildId, CancellationToken cancellationToken) => ChangeStateAsync(guildId, "p", cancellationToken);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> ResumeAsync(string guildId, CancellationToken cancellationToken) => ChangeStateAsync(guildId, "r", cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The chain of timelines to read (the guild's, and for a fork its sources' up to the fork point) and the head are
    /// fixed by the first script; the entries are then read in pages of one script each. A prune that passes the
    /// entries still to read fails the enumeration (<see cref="TimelineFailure.Pruned"/>) rather than skipping them.
    /// </remarks>
    public async IAsyncEnumerable<TimelineEntry> ReadEntriesAsync(string guildId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        var chain = await EvaluateAsync(RedisScripts.EntriesChain, [_root, guildId, afterSequence], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(chain, guildId, afterSequence);

        // From the oldest source down to the guild: each level's own entries above its source's fork point.
        var levels = (int)(long)chain[1];
        var ranges = new List<(string Guild, long From, long To)>();
        var upTo = long.MaxValue;
        var spans = new List<(string Guild, long Head, long ForkSequence, bool IsFork)>();
        for (var i = 0; i < levels; i++)
        {
            var at = 2 + (i * 4);
            spans.Add(((string)chain[at]!, (long)chain[at + 1], (long)chain[at + 3], ((string)chain[at + 2]!).Length > 0));
        }

        for (var i = 0; i < spans.Count; i++)
        {
            var (level, head, forkSequence, isFork) = spans[i];
            var from = Math.Max(afterSequence, isFork ? forkSequence : 0) + 1;
            var to = Math.Min(upTo, head);
            if (from <= to)
            {
                ranges.Add((level, from, to));
            }

            if (!isFork || afterSequence >= forkSequence)
            {
                break;
            }

            upTo = Math.Min(upTo, forkSequence);
        }

        ranges.Reverse();
        foreach (var (level, from, to) in ranges)
        {
            for (var start = from; start <= to; start += TimelinePage)
            {
                var end = Math.Min(to, start + TimelinePage - 1);
                var page = await EvaluateAsync(RedisScripts.EntriesPage, [_root, level, start, end], cancellationToken).ConfigureAwait(false);
                if ((long)page[0] < 0 || (long)page[0] > afterSequence)
                {
                    throw Pruned(guildId, afterSequence, (long)page[0]);
                }

                for (var i = 1; i < page.Length; i++)
                {
                    var stored = (byte[])page[i]!;
                    if (stored.Length > 0)
                    {
                        yield return RedisTimelineEntry.Decode(guildId, start + i - 1, stored);
                    }
                }
            }
        }
    }

    private async ValueTask<GuildTimeline> ChangeStateAsync(string guildId, string mode, CancellationToken cancellationToken)
    {
        var reply = await EvaluateAsync(RedisScripts.TimelineState, [_root, guildId, mode], cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(reply, guildId, null);
        return Describe(guildId, reply, 1);
    }

    /// <summary>
    /// Runs a timeline script and returns its reply. KEYS: the marker of the root of the guild in
    /// <paramref name="args"/>[1], so on a cluster the script runs on the guild's node.
    /// </summary>
    private async ValueTask<RedisResult[]> EvaluateAsync(string script, RedisValue[] args, CancellationToken cancellationToken) =>
        (RedisResult[])(await EvaluateRawAsync(script, args, cancellationToken).ConfigureAwait(false))!;

    /// <summary>The marker of the root of <paramref name="guildId"/>, the key scripts about the guild are routed by.</summary>
    private RedisKey[] GuildRoute(string guildId) => [RedisKeys.Marker(_keys.GuildRoot(RedisKeys.GuildTag(guildId)))];

    /// <summary>A timeline from a script's description at <paramref name="at"/>: head, paused-at or -1, source or '', fork point, retained-from.</summary>
    private static GuildTimeline Describe(string guildId, RedisResult[] reply, int at)
    {
        var pausedAt = (long)reply[at + 1];
        var source = (string)reply[at + 2]!;
        return new GuildTimeline(guildId, (long)reply[at], pausedAt < 0 ? null : pausedAt, source.Length == 0 ? null : source, (long)reply[at + 3], (long)reply[at + 4]);
    }

    /// <summary>Throws the refusal a timeline script answered (<c>{-1}</c>, <c>{-2, head}</c>, <c>{-3, retained-from}</c>).</summary>
    private static void ThrowIfRefused(RedisResult[] reply, string guildId, long? sequence)
    {
        switch ((long)reply[0])
        {
            case 0:
                return;
            case -1:
                throw NotStarted(guildId);
            case -2:
                throw new StateTimelineException(TimelineFailure.BeyondHead, guildId, sequence, $"Sequence {sequence} of guild '{guildId}' is beyond its head {(long)reply[1]}.");
            case -3:
                throw Pruned(guildId, sequence ?? 0, (long)reply[1]);
            default:
                throw new InvalidOperationException($"A Redis timeline script returned the unknown status {(long)reply[0]}.");
        }
    }

    private static StateTimelineException NotStarted(string guildId) =>
        new(TimelineFailure.NotStarted, guildId, null, $"Guild '{guildId}' has no timeline: it was never started, or the guild was removed.");

    private static StateTimelineException Pruned(string guildId, long sequence, long retainedFrom) =>
        retainedFrom < 0
            ? NotStarted(guildId)
            : new(TimelineFailure.Pruned, guildId, sequence, $"Sequence {sequence} of guild '{guildId}' was pruned: its state can be read from sequence {retainedFrom} on.");
}
