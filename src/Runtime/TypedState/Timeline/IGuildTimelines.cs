using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TypedState.Timeline;

/// <summary>
/// The timelines of guilds: an append-only log of every change to a guild's records and its agents' records (and of
/// the events its handlers append), written in the same atomic commit as the change; reads as of any retained
/// sequence; pause and resume; forks that start as the source guild was at a sequence and go their own way; pruning.
/// </summary>
/// <remarks>
/// A guild's timeline is opt-in: <see cref="StartAsync"/> starts it (the records the guild already holds become its
/// first entries). Refusals are <see cref="StateTimelineException"/> naming the guild and the sequence; nothing is
/// created or changed by a refused call. Global state has no timeline.
/// </remarks>
public interface IGuildTimelines
{
    /// <summary>The options values and events are serialized with when no <see cref="JsonTypeInfo{T}"/> is given.</summary>
    JsonSerializerOptions SerializerOptions { get; }

    /// <summary>Starts the guild's timeline, or returns it when already started.</summary>
    ValueTask<GuildTimeline> StartAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>The guild's timeline, or null when it has none.</summary>
    ValueTask<GuildTimeline?> GetAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the guild's entries after <paramref name="afterSequence"/>, in sequence order (for a fork, its source's
    /// entries up to the fork point first). Entries that commit while the stream is read may or may not be included;
    /// reading again after the last sequence seen never misses one.
    /// </summary>
    IAsyncEnumerable<TimelineEntry> ReadAsync(string guildId, long afterSequence = 0, CancellationToken cancellationToken = default);

    /// <summary>Reads a record of a guild or agent owner as it was at <paramref name="sequence"/>.</summary>
    ValueTask<StateEntry<T>> GetAsOfAsync<T>(StateOwner owner, string key, long sequence, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default);

    /// <summary>Lists the owner's records whose key starts with <paramref name="prefix"/> as they were at <paramref name="sequence"/>.</summary>
    IAsyncEnumerable<StateEntry<T>> ListAsOfAsync<T>(StateOwner owner, string prefix, long sequence, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a domain event to the timeline of the owner's guild and returns its sequence. An
    /// <paramref name="eventId"/> already in the timeline appends nothing and returns the first one's sequence (an
    /// idempotency key: a retried append stores one event). To append atomically with state changes, use
    /// <see cref="IStateTransaction.Append{TEvent}"/>.
    /// </summary>
    ValueTask<long> AppendAsync<TEvent>(StateOwner owner, TEvent domainEvent, JsonTypeInfo<TEvent> typeInfo, string? eventId = null, CancellationToken cancellationToken = default);

    /// <summary>Pauses the guild at its head: its writes and appends are refused until it is resumed, by any process.</summary>
    ValueTask<GuildTimeline> PauseAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused guild.</summary>
    ValueTask<GuildTimeline> ResumeAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forks <paramref name="sourceGuildId"/> at <paramref name="atSequence"/> into <paramref name="newGuildId"/>
    /// (which must hold no state): the new guild's state (guild scope and every agent) is the source's as of that
    /// sequence, its history the source's up to it; afterwards neither sees the other's writes.
    /// </summary>
    ValueTask<GuildTimeline> ForkAsync(string sourceGuildId, long atSequence, string newGuildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Detaches (materialises) the fork <paramref name="forkGuildId"/>: it gets its own copy of every record it reads
    /// through its source as of its fork point, with the same versions, stops reading through the source and leaves the
    /// source's forks, so the source can be removed or pruned. Its history before the fork point goes (its
    /// <see cref="GuildTimeline.RetainedFrom"/> becomes the fork point); its own later entries, pins and snapshots stay,
    /// and its sequences continue. Costs O(records read through). A guild without a timeline, or whose timeline is not
    /// a fork, is refused (<see cref="TimelineFailure.NotStarted"/>, <see cref="TimelineFailure.NotAFork"/>), as is a
    /// guild with a fork of its own forked below its fork point (<see cref="TimelineFailure.HasForks"/>: detach that
    /// one first). A paused fork can be detached.
    /// </summary>
    ValueTask<GuildTimeline> DetachAsync(string forkGuildId, CancellationToken cancellationToken = default);

    /// <summary>The timelines forked directly from the guild, ordered by guild id.</summary>
    IAsyncEnumerable<GuildTimeline> ListForksAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a snapshot of the whole guild (guild scope and every agent, with the schema versions of the typed state
    /// they hold) at <paramref name="atSequence"/> (the head by default) and stores it with the guild's timeline.
    /// </summary>
    ValueTask<GuildSnapshot> SnapshotAsync(string guildId, long? atSequence = null, CancellationToken cancellationToken = default);

    /// <summary>The sequences of the guild's stored snapshots, newest first.</summary>
    IAsyncEnumerable<long> ListSnapshotsAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rebuilds the whole guild as it was at <paramref name="sequence"/> from the nearest stored snapshot at or below
    /// it plus the entries after it. An unreadable snapshot is logged and an older base is used (the oldest retained
    /// state when no snapshot reads); a sequence beyond the head or pruned is refused.
    /// </summary>
    ValueTask<GuildSnapshot> RebuildAsync(string guildId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compares two guilds' timelines (typically a guild and its fork): the timeline and sequence up to which they share
    /// history, each one's entries since, and the records whose current values differ.
    /// </summary>
    ValueTask<TimelineDiff> DiffAsync(string leftGuildId, string rightGuildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pins a replay point: <see cref="PruneAsync"/> keeps the state as of <paramref name="sequence"/> and every later
    /// entry, so a replay or a fork from there stays possible until the pin is removed. Pinning twice is one pin;
    /// a sequence beyond the head or already pruned is refused.
    /// </summary>
    ValueTask<GuildTimeline> PinAsync(string guildId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Removes a pin (nothing happens when the sequence is not pinned).</summary>
    ValueTask<GuildTimeline> UnpinAsync(string guildId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>The guild's pinned sequences, ascending.</summary>
    IAsyncEnumerable<long> ListPinsAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops the guild's history up to <paramref name="horizon"/> (lowered to the oldest live fork point and the lowest
    /// pin); later states read as before, older ones are refused with <see cref="TimelineFailure.Pruned"/>.
    /// </summary>
    ValueTask<GuildTimeline> PruneAsync(string guildId, long horizon, CancellationToken cancellationToken = default);
}
