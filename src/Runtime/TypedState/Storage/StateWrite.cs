namespace TypedState.Storage;

/// <summary>One conditional entry of an atomic batch.</summary>
/// <param name="Owner">The owner of the record.</param>
/// <param name="Key">The record key (already validated by the core).</param>
/// <param name="Kind">Set, delete or check.</param>
/// <param name="Value">The UTF-8 JSON bytes for <see cref="StateWriteKind.Set"/>; empty otherwise.</param>
/// <param name="ExpectedVersion">
/// <see langword="null"/>: any state; 0: the record must be absent; n: the live record must have version n.
/// </param>
public readonly record struct StateWrite(
    StateOwner Owner,
    string Key,
    StateWriteKind Kind,
    ReadOnlyMemory<byte> Value,
    long? ExpectedVersion)
{
    /// <summary>Whether a record whose live version is <paramref name="actualVersion"/> (0 when absent) satisfies this entry's condition.</summary>
    public bool IsSatisfiedBy(long actualVersion) => ExpectedVersion is not { } expected || expected == actualVersion;
}
