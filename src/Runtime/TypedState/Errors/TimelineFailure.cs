namespace TypedState;

/// <summary>Why a timeline operation was refused (<see cref="StateTimelineException.Failure"/>).</summary>
public enum TimelineFailure
{
    /// <summary>The guild has no timeline: it was never started, or the guild was removed.</summary>
    NotStarted,

    /// <summary>The guild is paused: its writes and appends are refused until it is resumed.</summary>
    Paused,

    /// <summary>The sequence asked for is beyond the timeline's head.</summary>
    BeyondHead,

    /// <summary>The sequence asked for was dropped by a prune: its state can no longer be rebuilt.</summary>
    Pruned,

    /// <summary>A fork's target guild already holds state or a timeline.</summary>
    GuildExists,

    /// <summary>The guild has live forks that still read through it: detach (materialise) them first.</summary>
    HasForks,

    /// <summary>The driver keeps no timelines.</summary>
    NotSupported,

    /// <summary>The guild's timeline is not a fork: there is no source to detach it from.</summary>
    NotAFork,
}
