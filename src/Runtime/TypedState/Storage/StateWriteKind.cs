namespace TypedState.Storage;

/// <summary>What one entry of a batch does. A driver refuses any other value (see <see cref="StateWrite.ThrowIfUnknownKind(IReadOnlyList{StateWrite})"/>).</summary>
public enum StateWriteKind
{
    /// <summary>Store the value, creating the record or replacing it.</summary>
    Set,

    /// <summary>Delete the record (a no-op when it is absent and no version is expected).</summary>
    Delete,

    /// <summary>Write nothing; only the expected-version condition is checked (used for a transaction's reads).</summary>
    Check,

    /// <summary>
    /// Append an entry to the guild's timeline (<see cref="ITimelineDriver"/>): <see cref="StateWrite.Key"/> is the
    /// entry's id (an idempotency key: an id already in the timeline appends nothing) and <see cref="StateWrite.Value"/>
    /// its document. The result's version is the entry's sequence. Only a driver that keeps timelines accepts it;
    /// the owner's guild must have a timeline that is not paused.
    /// </summary>
    Append,
}
