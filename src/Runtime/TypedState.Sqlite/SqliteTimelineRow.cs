using TypedState.Timeline;

namespace TypedState.Sqlite;

/// <summary>
/// One row of <c>typedstate_timelines</c> as read in a transaction. A commit raises <see cref="Head"/> for each entry
/// it adds and writes it back once, at the end of its batch (<see cref="Advanced"/>).
/// </summary>
internal sealed class SqliteTimelineRow(string guildId, long head, long? pausedAt, string? parentId, long forkSequence, long retainedFrom)
{
    public string GuildId { get; } = guildId;

    public long Head { get; private set; } = head;

    public long? PausedAt { get; } = pausedAt;

    public string? ParentId { get; } = parentId;

    public long ForkSequence { get; } = forkSequence;

    public long RetainedFrom { get; } = retainedFrom;

    /// <summary>Whether entries were added since the row was read, so its head is to be written back.</summary>
    public bool Advanced { get; private set; }

    public bool IsFork => ParentId is not null;

    /// <summary>The next sequence, taken by an entry about to be written.</summary>
    public long Next()
    {
        Advanced = true;
        return ++Head;
    }

    public GuildTimeline Describe() => new(GuildId, Head, PausedAt, ParentId, ForkSequence, RetainedFrom);
}
