namespace TypedState.Timeline;

/// <summary>One entry of a guild's timeline, written in the same atomic commit as the change it records.</summary>
/// <param name="Sequence">The entry's place in its guild's timeline: gapless, strictly increasing, in commit order.</param>
/// <param name="Kind">What the entry records.</param>
/// <param name="Owner">The guild or agent owner whose record changed, or who appended the event.</param>
/// <param name="Key">The record's key; for <see cref="TimelineEntryKind.Append"/> the event's id; empty for
/// <see cref="TimelineEntryKind.RemoveOwner"/>.</param>
/// <param name="PreviousVersion">The record's version before the change (0 when it was absent).</param>
/// <param name="Version">The record's version after the change (a delete's tombstone version); for an append, the
/// entry's sequence.</param>
/// <param name="Value">The new value of a set, or the event document of an append; empty otherwise.</param>
/// <param name="CommitId">The commit the entry belongs to: entries of one commit share it and are consecutive.</param>
/// <param name="Timestamp">When the commit was applied, by the driver's clock.</param>
public sealed record TimelineEntry(
    long Sequence,
    TimelineEntryKind Kind,
    StateOwner Owner,
    string Key,
    long PreviousVersion,
    long Version,
    ReadOnlyMemory<byte> Value,
    Guid CommitId,
    DateTimeOffset Timestamp);
