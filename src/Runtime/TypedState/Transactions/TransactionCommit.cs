using TypedState.Storage;

namespace TypedState;

/// <summary>
/// What a committed transaction wrote: every set and delete it applied, in the order the transaction first touched
/// each record, with the version the store decided. Reads, listings and timeline appends are not listed.
/// </summary>
public sealed class TransactionCommit
{
    // Either the writes as given, or (a commit's result) the batch's owner, keys and kinds with the driver's versions,
    // expanded into CommittedWrite values only when Writes is read: most callers read one version, or none.
    private readonly StateOwner _owner;
    private readonly string[]? _keys;
    private readonly StateWriteKind[]? _kinds;
    private readonly IReadOnlyList<long>? _versions;

    /// <summary>The result of a transaction that wrote nothing.</summary>
    public static TransactionCommit Empty { get; } = new([]);

    /// <summary>Creates the result from the applied writes.</summary>
    public TransactionCommit(IReadOnlyList<CommittedWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        Writes = writes;
    }

    /// <summary>The result of a batch of sets and deletes of one owner: its keys, kinds (null: all sets) and versions.</summary>
    private TransactionCommit(StateOwner owner, string[] keys, StateWriteKind[]? kinds, IReadOnlyList<long> versions) =>
        (_owner, _keys, _kinds, _versions) = (owner, keys, kinds, versions);

    /// <summary>The sets and deletes applied, one per record.</summary>
    public IReadOnlyList<CommittedWrite> Writes
    {
        get
        {
            if (Volatile.Read(ref field) is { } writes)
            {
                return writes;
            }

            var expanded = new CommittedWrite[_keys!.Length];
            for (var i = 0; i < expanded.Length; i++)
            {
                expanded[i] = WriteAt(i);
            }

            // Read from several threads, the result still hands out one list.
            return Interlocked.CompareExchange(ref field, expanded, null) ?? expanded;
        }

        private init => field = value;
    }

    /// <summary>
    /// The committed write of a record: its new version for a set, the deleted version (0: it was absent) for a delete.
    /// </summary>
    /// <returns>False when the transaction did not write or delete that record.</returns>
    public bool TryGetWrite(StateOwner owner, string key, out CommittedWrite write)
    {
        if (_keys is { } keys)
        {
            // Looked up in the batch's keys (all of one owner): no list made for one version.
            var index = owner == _owner ? Array.IndexOf(keys, key) : -1; // string equality is ordinal
            write = index < 0 ? default : WriteAt(index);
            return index >= 0;
        }

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
    /// (the transaction's records are reused by the next transaction). A batch of one owner's sets and deletes keeps
    /// its keys and the driver's versions, and makes the list of writes when it is read.
    /// </summary>
    internal static TransactionCommit From(IReadOnlyList<StateWrite> batch, CommitResult result)
    {
        var count = 0;
        var owner = batch.Count > 0 ? batch[0].Owner : default;
        var oneOwner = true;
        var allSets = true;
        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i];
            count += entry.Kind is StateWriteKind.Set or StateWriteKind.Delete ? 1 : 0;
            oneOwner &= entry.Owner == owner;
            allSets &= entry.Kind == StateWriteKind.Set;
        }

        if (count == 0)
        {
            return Empty;
        }

        if (count == batch.Count && oneOwner)
        {
            var keys = new string[count];
            var kinds = allSets ? null : new StateWriteKind[count];
            for (var i = 0; i < count; i++)
            {
                var entry = batch[i];
                keys[i] = entry.Key;
                kinds?[i] = entry.Kind;
            }

            return new TransactionCommit(owner, keys, kinds, result.Versions);
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

    /// <summary>The write at <paramref name="index"/> of a batch kept as keys and versions.</summary>
    private CommittedWrite WriteAt(int index) =>
        new(_owner, _keys![index], _kinds?[index] ?? StateWriteKind.Set, _versions![index]);
}
