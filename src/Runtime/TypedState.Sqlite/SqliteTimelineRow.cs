using TypedState.Timeline;

namespace TypedState.Sqlite;

/// <summary>
/// One row of <c>typedstate_timelines</c> as read in a transaction. A commit raises <see cref="Head"/> for each entry
/// it adds; nothing is written back, since the head read is that of the newest entry (SqliteTimelineSql).
/// </summary>
internal sealed class SqliteTimelineRow(string guildId, long head, long? pausedAt, string? parentId, long forkSequence, long retainedFrom)
{
    public string GuildId { get; } = guildId;

    public long Head { get; private set; } = head;

    public long? PausedAt { get; } = pausedAt;

    public string? ParentId { get; } = parentId;

    public long ForkSequence { get; } = forkSequence;

    public long RetainedFrom { get; } = retainedFrom;

    public bool IsFork => ParentId is not null;

    /// <summary>The next sequence, taken by an entry about to be written.</summary>
    public long Next() => ++Head;

    public GuildTimeline Describe() => new(GuildId, Head, PausedAt, ParentId, ForkSequence, RetainedFrom);
}
