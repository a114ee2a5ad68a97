namespace TypedState.Timeline;

/// <summary>A record that differs between two timelines (<see cref="TimelineDiff"/>).</summary>
/// <param name="Scope">Guild or agent scope.</param>
/// <param name="AgentId">The agent, for agent scope; null for guild scope.</param>
/// <param name="Key">The record's key.</param>
/// <param name="Left">The record in the left guild, or null when it has none.</param>
/// <param name="Right">The record in the right guild, or null when it has none.</param>
public sealed record RecordDifference(Scope Scope, string? AgentId, string Key, SnapshotRecord? Left, SnapshotRecord? Right);
