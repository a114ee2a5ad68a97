namespace TypedState.Guilds;

/// <summary>How a guild started by <see cref="GuildHost.StartGuild(string, GuildOptions)"/> runs.</summary>
public sealed class GuildOptions
{
    /// <summary>
    /// Records every delivered message in the guild's timeline (which must be started:
    /// <see cref="Timeline.IGuildTimelines.StartAsync"/>) before its handler runs: the recipient, the message's type
    /// and its JSON. The handler's writes follow it in the timeline, which is what <see cref="GuildReplay"/> replays.
    /// </summary>
    public bool RecordMessages { get; init; }
}
