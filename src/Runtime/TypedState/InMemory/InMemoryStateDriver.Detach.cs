using System.Collections.Concurrent;
using TypedState.Timeline;

namespace TypedState.InMemory;

// Detaching a fork: what it reads through its source becomes its own, under the write gate, so no reader or writer
// sees it half done.
public sealed partial class InMemoryStateDriver
{
    /// <inheritdoc />
    public ValueTask<GuildTimeline> DetachAsync(string forkGuildId, CancellationToken cancellationToken)
    {
        _ = StateOwner.Guild(forkGuildId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = Started(forkGuildId);
            if (log.Parent is not { } source)
            {
                throw NotAFork(forkGuildId, log.Head);
            }

            var point = log.ForkSequence;
            if (log.Forks.FirstOrDefault(fork => _timelines[fork].ForkSequence < point) is { } below)
            {
                throw ForkedBelow(forkGuildId, below, _timelines[below].ForkSequence, point);
            }

            // Everything is read before anything changes: the copy cannot fail half way. Owners come in the source's terms.
            var owners = new HashSet<StateOwner>();
            source.CollectOwners(point, owners);
            var inherited = new List<(StateOwner Owner, string Key, GuildLog.Change Change)>();
            foreach (var owner in owners)
            {
                foreach (var (key, change) in source.RecordsAsOf(owner, string.Empty, point))
                {
                    inherited.Add((owner.InGuild(forkGuildId), key, change));
                }
            }

            // The live copy first (a record or tombstone of its own wins; an agent removed in the fork read nothing
            // through), then the history; the link goes last, so lock-free reads never miss a record.
            foreach (var (owner, key, change) in inherited.Where(item => !log.WasRemoved(item.Owner)))
            {
                _owners.GetOrAdd(owner, static _ => new ConcurrentDictionary<string, Slot>(StringComparer.Ordinal))
                    .TryAdd(key, new Slot(change.Value, change.Version));
            }

            log.Detach(inherited);
            source.Forks.Remove(forkGuildId);
            return ValueTask.FromResult(log.Describe());
        }
    }

    /// <summary>The refusal to detach a guild whose timeline is no fork.</summary>
    private static StateTimelineException NotAFork(string guildId, long head) =>
        new(TimelineFailure.NotAFork, guildId, head, $"Guild '{guildId}' was not detached: its timeline is not a fork, so there is no source to detach it from.");

    /// <summary>The refusal to detach a fork with a fork of its own below its fork point, which reads the source through it.</summary>
    private static StateTimelineException ForkedBelow(string guildId, string fork, long forkSequence, long point) =>
        new(
            TimelineFailure.HasForks,
            guildId,
            point,
            $"Guild '{guildId}' was not detached: its fork '{fork}' was forked at sequence {forkSequence}, below its fork point {point}, and reads its source through it there. Detach '{fork}' first (IGuildTimelines.DetachAsync).");
}
