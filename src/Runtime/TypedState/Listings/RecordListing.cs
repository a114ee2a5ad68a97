using TypedState.Storage;

namespace TypedState.Listings;

/// <summary>The listing of records as stored: the bytes as the driver returned them.</summary>
internal sealed class RecordListing(StateManager manager, StateOwner owner, string prefix, CancellationToken cancellationToken)
    : ManagerListing<StoredRecord>(manager, owner, prefix, cancellationToken)
{
    /// <inheritdoc />
    protected override StoredRecord Convert(in StoredRecord record) => record;
}
