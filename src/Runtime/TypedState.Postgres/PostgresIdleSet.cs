using System.Collections.Concurrent;

namespace TypedState.Postgres;

/// <summary>
/// A bounded set of idle reusable objects of one kind (commands, batches, parameter sets), safe for concurrent callers:
/// at most the given number wait here, so a burst of concurrent calls does not leave as many idle objects behind.
/// </summary>
internal sealed class PostgresIdleSet<T>(int maxIdle)
    where T : class
{
    private readonly ConcurrentQueue<T> _queue = new();
    private int _count;

    /// <summary>An idle object, or null when none waits.</summary>
    public T? TryTake()
    {
        if (!_queue.TryDequeue(out var item))
        {
            return null;
        }

        Interlocked.Decrement(ref _count);
        return item;
    }

    /// <summary>Keeps <paramref name="item"/> for reuse unless the set is full.</summary>
    /// <returns>False when the set was full and the item was not kept (the caller disposes of it, if it must).</returns>
    public bool Give(T item)
    {
        if (Interlocked.Increment(ref _count) <= maxIdle)
        {
            _queue.Enqueue(item);
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }
}
