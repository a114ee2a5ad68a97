using TypedState.Timeline;

namespace TypedState.Storage;

/// <summary>
/// What a driver adds to <see cref="IStateDriver"/> to keep guild timelines: an append-only log of every change to a
/// guild's records and its agents' records, written in the same atomic commit as the change, reads as of a sequence,
/// pause, fork and prune. The core's <see cref="IGuildTimelines"/> is built on it.
/// </summary>
/// <remarks>
/// <para><b>Logging.</b> Once a guild's timeline is started, every applied write of a batch to an owner of that guild
/// (its guild owner or any of its agents) adds one entry: a set, a delete of a live record, an append. A batch's
/// entries get consecutive sequences above the head, in the order of the batch, atomically with the batch: a reader
/// of the entries after a sequence never misses one that commits later. Checks, deletes of absent records and appends
/// whose id the timeline already holds add nothing. Removing an agent of the guild adds a
/// <see cref="TimelineEntryKind.RemoveOwner"/> entry.</para>
/// <para><b>Pause.</b> A batch with any write (checks included) to an owner of a paused guild applies nothing and
/// returns <see cref="CommitResult.TimelineRefused"/>; so does an append to a guild without a timeline.</para>
/// <para><b>Forks.</b> A fork at sequence f reads as its source read at f: a record the fork has not written (nor
/// deleted, nor lost with its agent's removal) is the source's as of f, with the source's version, and a write to it
/// expects and continues that version. Neither sees the other's later writes. The fork's own entries start at f + 1;
/// its entries up to f are the source's. Forks of forks read through the chain.</para>
/// <para><b>Detach.</b> <see cref="DetachAsync"/> gives a fork its own copy of what it reads through its source, so
/// that it no longer needs the source (which can then be removed, or pruned past the old fork point).</para>
/// <para><b>Removal.</b> Removing a guild removes its timeline too, and detaches it from the guild it was forked from;
/// a guild with live forks is not removed (<see cref="TimelineFailure.HasForks"/>): detach them first. Removing an agent of a fork also
/// hides the agent's records the fork read through its source.</para>
/// <para><b>Errors.</b> Refusals are <see cref="StateTimelineException"/> naming the guild and the sequence, with
/// nothing changed.</para>
/// </remarks>
public interface ITimelineDriver
{
    /// <summary>
    /// Starts the guild's timeline, or returns it when it is already started. Records the guild and its agents already
    /// hold become its first entries (sets, in owner and key order), so their state can be read as of any sequence.
    /// </summary>
    ValueTask<GuildTimeline> StartTimelineAsync(string guildId, CancellationToken cancellationToken);

    /// <summary>The guild's timeline, or null when it has none.</summary>
    ValueTask<GuildTimeline?> ReadTimelineAsync(string guildId, CancellationToken cancellationToken);

    /// <summary>
    /// Streams the guild's entries with a sequence above <paramref name="afterSequence"/>, in order, including, for a
    /// fork, its source's entries up to the fork point. Throws <see cref="StateTimelineException"/> when the guild has
    /// no timeline, or when entries above <paramref name="afterSequence"/> were pruned.
    /// </summary>
    IAsyncEnumerable<TimelineEntry> ReadEntriesAsync(string guildId, long afterSequence, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a record of a guild or agent owner as it was once the entry <paramref name="sequence"/> was applied, or
    /// null when it was absent then. Throws <see cref="StateTimelineException"/> when the guild has no timeline, the
    /// sequence is beyond its head, or was pruned.
    /// </summary>
    ValueTask<StoredRecord?> ReadAsOfAsync(StateOwner owner, string key, long sequence, CancellationToken cancellationToken);

    /// <summary>As <see cref="ReadAsOfAsync"/>, for the owner's records whose key starts with <paramref name="prefix"/>, in key order.</summary>
    IAsyncEnumerable<StoredRecord> ListAsOfAsync(StateOwner owner, string prefix, long sequence, CancellationToken cancellationToken);

    /// <summary>Pauses the guild at its head (or returns it as it is when already paused).</summary>
    ValueTask<GuildTimeline> PauseAsync(string guildId, CancellationToken cancellationToken);

    /// <summary>Resumes a paused guild (or returns it as it is when it runs).</summary>
    ValueTask<GuildTimeline> ResumeAsync(string guildId, CancellationToken cancellationToken);

    /// <summary>
    /// Forks <paramref name="sourceGuildId"/> at <paramref name="atSequence"/> into the new guild
    /// <paramref name="newGuildId"/>, which must hold no state and no timeline. Costs O(1): the fork reads through
    /// its source (see the remarks of <see cref="ITimelineDriver"/>).
    /// </summary>
    ValueTask<GuildTimeline> ForkAsync(string sourceGuildId, long atSequence, string newGuildId, CancellationToken cancellationToken);

    /// <summary>
    /// Detaches the fork <paramref name="forkGuildId"/> from its source (materialises it): afterwards it holds its own
    /// copy of every record it read through its source chain as of its fork point f, with the same versions (tombstones
    /// included), and reads nothing through its source; it is no longer listed among the source's forks, and its
    /// timeline is no fork (<see cref="GuildTimeline.ForkedFrom"/> null, <see cref="GuildTimeline.ForkSequence"/> 0).
    /// Its history before f goes: <see cref="GuildTimeline.RetainedFrom"/> becomes at least f, so the state as of f
    /// and every later entry stay readable and earlier ones are <see cref="TimelineFailure.Pruned"/>; its pins and
    /// snapshots below f go with it. Its own records, entries, later pins and snapshots, head and pause are kept, and
    /// its sequences continue. Costs O(records read through). Atomic: an interrupted detach leaves the fork reading
    /// exactly as before.
    /// </summary>
    /// <remarks>
    /// Refused, with nothing changed, as a <see cref="StateTimelineException"/> naming the guild:
    /// <see cref="TimelineFailure.NotStarted"/> when it has no timeline, <see cref="TimelineFailure.NotAFork"/> when its
    /// timeline is not a fork, and <see cref="TimelineFailure.HasForks"/> when one of its own forks was forked below f
    /// (that fork reads the source through this guild there: detach it first). A paused fork can be detached: what it
    /// reads does not change.
    /// </remarks>
    ValueTask<GuildTimeline> DetachAsync(string forkGuildId, CancellationToken cancellationToken);

    /// <summary>Streams the timelines forked directly from the guild, ordered by guild id.</summary>
    IAsyncEnumerable<GuildTimeline> ListForksAsync(string guildId, CancellationToken cancellationToken);

    /// <summary>
    /// Pins a replay point of the guild: from now on pruning keeps the state as of <paramref name="sequence"/> and
    /// every later entry readable (the horizon is lowered to the lowest pin). Pinning a pinned sequence changes nothing.
    /// Pins go with their guild; a fork starts with none. Throws <see cref="StateTimelineException"/> when the guild has
    /// no timeline, or the sequence is beyond its head or was pruned.
    /// </summary>
    ValueTask<GuildTimeline> PinAsync(string guildId, long sequence, CancellationToken cancellationToken);

    /// <summary>Removes a pin of the guild (nothing happens when the sequence is not pinned).</summary>
    ValueTask<GuildTimeline> UnpinAsync(string guildId, long sequence, CancellationToken cancellationToken);

    /// <summary>Streams the guild's pinned sequences, ascending.</summary>
    IAsyncEnumerable<long> ListPinsAsync(string guildId, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the guild's history up to <paramref name="horizon"/>: entries up to it, and states as of a sequence below
    /// it, can no longer be read, while the state at the horizon and every later one read as before. The horizon is
    /// lowered to the oldest fork point of a live fork and to the lowest pin, which stay readable. Sequences are never
    /// reused. Returns the timeline with its new <see cref="GuildTimeline.RetainedFrom"/>.
    /// </summary>
    ValueTask<GuildTimeline> PruneAsync(string guildId, long horizon, CancellationToken cancellationToken);
}
