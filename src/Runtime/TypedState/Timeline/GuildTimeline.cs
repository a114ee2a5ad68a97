namespace TypedState.Timeline;

/// <summary>
/// Where a guild's timeline stands: the sequence of its newest entry, whether it is paused and where, the timeline it
/// was forked from, and the oldest sequence still readable.
/// </summary>
/// <param name="GuildId">The guild.</param>
/// <param name="Head">The sequence of the newest entry; 0 for a timeline started on an empty guild with no entry yet.
/// Sequences are gapless per guild and never reused, not even after <see cref="IGuildTimelines.PruneAsync"/>.</param>
/// <param name="PausedAt">The head when the guild was paused, or null while it runs.</param>
/// <param name="ForkedFrom">The guild this one was forked from, or null.</param>
/// <param name="ForkSequence">For a fork, the sequence of <see cref="ForkedFrom"/> it was forked at (its own entries
/// start above it); 0 otherwise.</param>
/// <param name="RetainedFrom">The oldest sequence whose state can still be read (the entries after it can be read too):
/// 0 until the timeline is pruned, then the horizon of the last prune.</param>
public sealed record GuildTimeline(string GuildId, long Head, long? PausedAt, string? ForkedFrom, long ForkSequence, long RetainedFrom)
{
    /// <summary>Whether the guild is paused: its writes are refused until it is resumed.</summary>
    public bool IsPaused => PausedAt is not null;

    /// <summary>Whether the guild is a fork of another.</summary>
    public bool IsFork => ForkedFrom is not null;
}
