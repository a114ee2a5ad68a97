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

    /// <summary>
    /// Refuses a batch holding an entry whose <see cref="Kind"/> is not <see cref="StateWriteKind.Set"/>,
    /// <see cref="StateWriteKind.Delete"/> or <see cref="StateWriteKind.Check"/>. A driver calls it at the start of
    /// <see cref="IStateDriver.CommitAsync"/>, before it applies anything: a kind it does not know must fail
    /// loudly, never pass as a mere version check that reports success and writes nothing.
    /// </summary>
    /// <param name="writes">The batch handed to <see cref="IStateDriver.CommitAsync"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writes"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An entry has an unknown kind: <see cref="ArgumentOutOfRangeException.ActualValue"/> is the kind, and the
    /// message names it with the entry's scope, owner and key (the first such entry of the batch).
    /// </exception>
    public static void ThrowIfUnknownKind(IReadOnlyList<StateWrite> writes) => ThrowIfUnknownKind(writes, acceptAppend: false);

    /// <summary>
    /// As <see cref="ThrowIfUnknownKind(IReadOnlyList{StateWrite})"/>, accepting <see cref="StateWriteKind.Append"/>
    /// too when <paramref name="acceptAppend"/> is true: a driver that keeps timelines (<see cref="ITimelineDriver"/>).
    /// </summary>
    public static void ThrowIfUnknownKind(IReadOnlyList<StateWrite> writes, bool acceptAppend)
    {
        ArgumentNullException.ThrowIfNull(writes);
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (write.Kind is not (StateWriteKind.Set or StateWriteKind.Delete or StateWriteKind.Check) && !(acceptAppend && write.Kind == StateWriteKind.Append))
            {
                throw UnknownKind(write, i, nameof(writes));
            }
        }
    }

    /// <summary>The error of <see cref="ThrowIfUnknownKind(IReadOnlyList{StateWrite})"/>, built off the loop so that the good path stays small.</summary>
    private static ArgumentOutOfRangeException UnknownKind(StateWrite write, int index, string paramName) =>
        new(
            paramName,
            write.Kind,
            StateException.Compose(
                $"Entry {index} of the batch has the unknown write kind {write.Kind}: this driver applies only Set, Delete and Check, so nothing of the batch was applied.",
                write.Owner,
                write.Key));
}
