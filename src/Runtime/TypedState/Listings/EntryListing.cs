using System.Text.Json.Serialization.Metadata;
using TypedState.Storage;

namespace TypedState.Listings;

/// <summary>The typed listing: each record deserialized into an entry (a corrupt record carries its error).</summary>
internal sealed class EntryListing<T>(StateManager manager, StateOwner owner, string prefix, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    : ManagerListing<StateEntry<T>>(manager, owner, prefix, cancellationToken)
{
    /// <inheritdoc />
    protected override void Validate() => ArgumentNullException.ThrowIfNull(typeInfo);

    /// <inheritdoc />
    protected override StateEntry<T> Convert(in StoredRecord record) => Manager.ToEntry(Owner, record, typeInfo);
}
