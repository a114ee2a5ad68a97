namespace TypedState.Timeline;

/// <summary>What a timeline entry records.</summary>
public enum TimelineEntryKind
{
    /// <summary>A record was written: <see cref="TimelineEntry.Value"/> holds its new value.</summary>
    Set,

    /// <summary>A record was deleted.</summary>
    Delete,

    /// <summary>An event (or a delivered message) was appended: <see cref="TimelineEntry.Key"/> is its id.</summary>
    Append,

    /// <summary>An agent was removed with all its records; <see cref="TimelineEntry.Key"/> is empty.</summary>
    RemoveOwner,
}
