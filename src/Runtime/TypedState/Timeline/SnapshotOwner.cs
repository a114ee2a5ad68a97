namespace TypedState.Timeline;

/// <summary>One owner of a guild in a <see cref="GuildSnapshot"/>, with its live records in key order.</summary>
public sealed record SnapshotOwner(StateOwner Owner, IReadOnlyList<SnapshotRecord> Records);
