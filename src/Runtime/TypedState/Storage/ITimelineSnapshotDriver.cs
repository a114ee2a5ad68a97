namespace TypedState.Storage;

/// <summary>
/// What a timeline driver adds to keep whole-guild snapshots (<see cref="Timeline.IGuildTimelines.SnapshotAsync"/>):
/// opaque documents the core builds, stored per guild and sequence, and the owners a guild held as of a sequence.
/// </summary>
/// <remarks>
/// Snapshots go with their guild: removing the guild removes them, and pruning drops those below the horizon. A fork
/// starts with none of its own (a rebuild below its first own snapshot reads through as-of reads).
/// </remarks>
public interface ITimelineSnapshotDriver : ITimelineDriver
{
    /// <summary>Stores (or replaces) the guild's snapshot at <paramref name="sequence"/>.</summary>
    ValueTask SaveSnapshotAsync(string guildId, long sequence, ReadOnlyMemory<byte> document, CancellationToken cancellationToken);

    /// <summary>The sequences of the guild's snapshots, newest first.</summary>
    IAsyncEnumerable<long> ListSnapshotsAsync(string guildId, CancellationToken cancellationToken);

    /// <summary>The guild's snapshot at <paramref name="sequence"/>, or null when there is none.</summary>
    ValueTask<ReadOnlyMemory<byte>?> ReadSnapshotAsync(string guildId, long sequence, CancellationToken cancellationToken);

    /// <summary>
    /// The guild's owners (its guild owner and its agents) that held at least one live record as of
    /// <paramref name="sequence"/>, ordered as <see cref="IStateDriver.ListOwnersAsync"/> orders them; refusals as for
    /// <see cref="ITimelineDriver.ReadAsOfAsync"/>.
    /// </summary>
    IAsyncEnumerable<StateOwner> ListOwnersAsOfAsync(string guildId, long sequence, CancellationToken cancellationToken);
}
