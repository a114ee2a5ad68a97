using System.Collections;
using TypedState.Storage;

namespace TypedState;

// The commit's batch, read from the records touched as they are: no copy of the writes per commit.
internal sealed partial class StateTransaction
{
    private static readonly StateWrite[] s_noAppends = [];

    /// <summary>
    /// The batch of a commit: one entry per record written (its write) or only read (a check of the version read), in
    /// the order the transaction first touched each, then the appends. Built over the transaction's own lists, which
    /// no longer change once the commit started (the transaction has ended then).
    /// </summary>
    private sealed class Batch(IReadOnlyList<Pending> records, IReadOnlyList<StateWrite> appends) : IReadOnlyList<StateWrite>
    {
        public int Count => records.Count + appends.Count;

        public StateWrite this[int index] => index < records.Count ? records[index].ToWrite() : appends[index - records.Count];

        public IEnumerator<StateWrite> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The timeline appends of the transaction (none: no list is made until the first).</summary>
    private IReadOnlyList<StateWrite> Appends => _appends is null ? s_noAppends : _appends;

    /// <summary>The batch of this transaction's records and appends.</summary>
    private Batch BuildBatch()
    {
        var entries = CountEntries();
        if (entries == _records.Order.Count)
        {
            return new Batch(_records.Order, Appends);
        }

        // Some records were only touched (a key looked up in vain by a listing): they have no entry.
        var records = new List<Pending>(entries);
        foreach (var pending in _records.Order)
        {
            if (pending.Write is not null || pending.HasRead)
            {
                records.Add(pending);
            }
        }

        return new Batch(records, Appends);
    }

    /// <summary>How many entries the batch gets from the records touched: one per write, and one check per record read.</summary>
    private int CountEntries()
    {
        var count = 0;
        foreach (var pending in _records.Order)
        {
            if (pending.Write is not null || pending.HasRead)
            {
                count++;
            }
        }

        return count;
    }
}
