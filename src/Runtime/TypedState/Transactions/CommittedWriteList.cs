using System.Collections;
using TypedState.Storage;

namespace TypedState;

/// <summary>
/// The writes of a committed batch made only of sets and deletes, as <see cref="CommittedWrite"/>s built when read:
/// the batch and the driver's versions are kept, not copied.
/// </summary>
internal sealed class CommittedWriteList(IReadOnlyList<StateWrite> batch, IReadOnlyList<long> versions) : IReadOnlyList<CommittedWrite>
{
    public int Count => batch.Count;

    public CommittedWrite this[int index]
    {
        get
        {
            var write = batch[index];
            return new CommittedWrite(write.Owner, write.Key, write.Kind, versions[index]);
        }
    }

    public IEnumerator<CommittedWrite> GetEnumerator()
    {
        for (var i = 0; i < batch.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
