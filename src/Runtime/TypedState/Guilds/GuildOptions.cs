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

    /// <summary>
    /// With <see cref="RecordMessages"/>, takes a whole-guild snapshot (<see cref="Timeline.IGuildTimelines.SnapshotAsync"/>)
    /// after a delivery whose recorded message lies at least this many entries past the guild's last snapshot in this
    /// host; null (the default) takes none. A rebuild then reads about this many entries past a snapshot, plus what
    /// one handler writes.
    /// </summary>
    public int? SnapshotEvery
    {
        get;
        init => field = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(SnapshotEvery), value, "Take a snapshot every 1 or more entries, or never (null).");
    }
}
