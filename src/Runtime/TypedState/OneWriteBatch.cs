using System.Collections;
using TypedState.Storage;

namespace TypedState;

/// <summary>
/// The batch of a single set or delete, reused by its manager from one commit to the next (see
/// <see cref="StateManager.CommitAsync{TState, TResult}"/>): a write needs no list of its own. Taken back only after
/// the driver answered, never after an error, so that a driver still holding it (a cancelled queued commit) never
/// sees it change.
/// </summary>
internal sealed class OneWriteBatch : IReadOnlyList<StateWrite>
{
    private StateWrite _write;

    public int Count => 1;

    public StateWrite this[int index] => index == 0 ? _write : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>A batch of <paramref name="write"/>: <paramref name="spare"/>'s, when one waits there, or a new one.</summary>
    public static OneWriteBatch Of(StateWrite write, ref OneWriteBatch? spare)
    {
        var batch = Interlocked.Exchange(ref spare, null) ?? new OneWriteBatch();
        batch._write = write;
        return batch;
    }

    /// <summary>Forgets the write (and its bytes) and leaves the batch in <paramref name="spare"/> for the next.</summary>
    public void Release(ref OneWriteBatch? spare)
    {
        _write = default;
        Volatile.Write(ref spare, this);
    }

    public IEnumerator<StateWrite> GetEnumerator()
    {
        yield return _write;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
