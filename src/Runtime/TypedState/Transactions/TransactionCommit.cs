using TypedState.Storage;

namespace TypedState;

/// <summary>
/// What a committed transaction wrote: every set and delete it applied, in the order the transaction first touched
/// each record, with the version the store decided. Reads, listings and timeline appends are not listed.
/// </summary>
public sealed class TransactionCommit
{
    /// <summary>The result of a transaction that wrote nothing.</summary>
    public static TransactionCommit Empty { get; } = new([]);

    /// <summary>Creates the result from the applied writes.</summary>
    public TransactionCommit(IReadOnlyList<CommittedWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        Writes = writes;
    }

    /// <summary>The sets and deletes applied, one per record.</summary>
    public IReadOnlyList<CommittedWrite> Writes { get; }

    /// <summary>
    /// The committed write of a record: its new version for a set, the deleted version (0: it was absent) for a delete.
    /// </summary>
    /// <returns>False when the transaction did not write or delete that record.</returns>
    public bool TryGetWrite(StateOwner owner, string key, out CommittedWrite write)
    {
        foreach (var candidate in Writes)
        {
            if (candidate.Owner == owner && string.Equals(candidate.Key, key, StringComparison.Ordinal))
            {
                write = candidate;
                return true;
            }
        }

        write = default;
        return false;
    }

    /// <summary>The version a set gave a record, for the next compare-and-set.</summary>
    /// <exception cref="KeyNotFoundException">The transaction did not set that record.</exception>
    public long VersionOf(StateOwner owner, string key) =>
        TryGetWrite(owner, key, out var write) && write.Kind == StateWriteKind.Set
            ? write.Version
            : throw new KeyNotFoundException($"The transaction did not set this record [{StateException.Where(owner, key)}].");

    /// <summary>
    /// Builds the result from a committed batch: its sets and deletes, with the versions the driver returned, copied
    /// (the transaction's records are reused by the next transaction).
    /// </summary>
    internal static TransactionCommit From(IReadOnlyList<StateWrite> batch, CommitResult result)
    {
        var count = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            count += batch[i].Kind is StateWriteKind.Set or StateWriteKind.Delete ? 1 : 0;
        }

        if (count == 0)
        {
            return Empty;
        }

        var writes = new CommittedWrite[count];
        var n = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is { Kind: StateWriteKind.Set or StateWriteKind.Delete } write)
            {
                writes[n++] = new CommittedWrite(write.Owner, write.Key, write.Kind, result.Versions[i]);
            }
        }

        return new TransactionCommit(writes);
    }
}
