using TypedState.Storage;

namespace TypedState;

/// <summary>One record a committed transaction wrote or deleted, and the version the store decided for it.</summary>
/// <param name="Owner">The owner of the record.</param>
/// <param name="Key">The key of the record.</param>
/// <param name="Kind"><see cref="StateWriteKind.Set"/> or <see cref="StateWriteKind.Delete"/>.</param>
/// <param name="Version">
/// For a set, the record's new version (what a later compare-and-set expects). For a delete, the version the record
/// had when it was deleted, or 0 when it was already absent.
/// </param>
public readonly record struct CommittedWrite(StateOwner Owner, string Key, StateWriteKind Kind, long Version)
{
    /// <summary>Whether this entry deleted the record.</summary>
    public bool IsDelete => Kind == StateWriteKind.Delete;

    /// <summary>For a delete, whether a record existed to delete; for a set, always true.</summary>
    public bool Existed => Kind != StateWriteKind.Delete || Version > 0;
}
