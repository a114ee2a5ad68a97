namespace TypedState.Timeline;

/// <summary>One record in a <see cref="GuildSnapshot"/>.</summary>
/// <param name="Key">The record's key.</param>
/// <param name="Version">The record's version at the snapshot's sequence.</param>
/// <param name="SchemaVersion">The schema version of the typed state it holds (its <c>$version</c>), or null.</param>
/// <param name="Value">The stored value.</param>
public sealed record SnapshotRecord(string Key, long Version, int? SchemaVersion, ReadOnlyMemory<byte> Value);
