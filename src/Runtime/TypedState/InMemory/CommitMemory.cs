using TypedState.Storage;

namespace TypedState.InMemory;

/// <summary>
/// The in-memory driver's record of applied commit ids and their results, kept for <see cref="Retention"/> and
/// pruned oldest first on each commit. Not thread-safe: used under the driver's write lock.
/// </summary>
internal sealed class CommitMemory(TimeProvider clock)
{
    /// <summary>How long an applied commit id is remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    private readonly Dictionary<CommitId, long[]> _results = [];
    private readonly Queue<(CommitId Id, long Expires)> _expiry = new();

    /// <summary>The versions a remembered commit returned, or null.</summary>
    public long[]? Find(CommitId id)
    {
        Prune();
        return !id.IsNone && _results.TryGetValue(id, out var versions) ? versions : null;
    }

    /// <summary>Remembers an applied commit's versions (nothing for <see cref="CommitId.None"/>).</summary>
    public void Remember(CommitId id, long[] versions)
    {
        if (id.IsNone)
        {
            return;
        }

        _results[id] = versions;
        _expiry.Enqueue((id, clock.GetTimestamp() + (long)(Retention.TotalSeconds * clock.TimestampFrequency)));
    }

    private void Prune()
    {
        var now = clock.GetTimestamp();
        while (_expiry.TryPeek(out var oldest) && oldest.Expires <= now)
        {
            _expiry.Dequeue();
            _results.Remove(oldest.Id);
        }
    }
}
