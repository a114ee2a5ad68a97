namespace TypedState.Timeline;

/// <summary>
/// How two guild timelines differ (<see cref="IGuildTimelines.DiffAsync"/>): where they share history, what each did
/// since, and the records whose current values differ.
/// </summary>
/// <param name="Left">The left guild.</param>
/// <param name="Right">The right guild.</param>
/// <param name="CommonGuildId">The timeline whose history both share (one of them, or an ancestor of both), or null when they share none.</param>
/// <param name="CommonSequence">The last sequence of <paramref name="CommonGuildId"/> both share (0 when they share none).</param>
/// <param name="LeftSince">The left guild's entries after the shared history, in order.</param>
/// <param name="RightSince">The right guild's entries after the shared history, in order.</param>
/// <param name="Records">The records whose current values or versions differ, by scope, agent and key.</param>
public sealed record TimelineDiff(
    string Left,
    string Right,
    string? CommonGuildId,
    long CommonSequence,
    IReadOnlyList<TimelineEntry> LeftSince,
    IReadOnlyList<TimelineEntry> RightSince,
    IReadOnlyList<RecordDifference> Records);
