using System.Collections.Concurrent;

namespace TypedState.Redis;

/// <summary>
/// What a driver saw of each root's marker (<see cref="RedisKeys.Marker"/>): its epoch and the highest commit
/// sequence a commit of this driver returned in it, so a commit can tell that the server lost the root's data since
/// (the marker gone, replaced, or behind). Bounded: past <see cref="Capacity"/> roots it starts over, and a root it no
/// longer knows is checked again from its next commit on.
/// </summary>
internal sealed class RedisRootEpochs
{
    /// <summary>How many roots are remembered before the table starts over.</summary>
    public const int Capacity = 65_536;

    // One entry per root and epoch: a commit raises its sequence in place (no allocation per commit); a new epoch
    // replaces the entry whole.
    private readonly ConcurrentDictionary<string, Entry> _roots = new(StringComparer.Ordinal);

    /// <summary>What was seen of <paramref name="root"/>; <see cref="Seen.None"/> when nothing (or forgotten).</summary>
    public Seen Of(string root) => _roots.TryGetValue(root, out var entry) ? new Seen(entry.Epoch, Volatile.Read(ref entry.Sequence)) : Seen.None;

    /// <summary>
    /// Records that a commit saw <paramref name="epoch"/> at <paramref name="sequence"/>: raises the sequence within
    /// the epoch known, or learns the epoch of a root not known yet; an epoch replaced meanwhile is left alone.
    /// </summary>
    public void Saw(string root, string epoch, long sequence)
    {
        while (true)
        {
            if (_roots.TryGetValue(root, out var known))
            {
                if (string.Equals(known.Epoch, epoch, StringComparison.Ordinal))
                {
                    known.Raise(sequence);
                }

                return;
            }

            if (_roots.Count >= Capacity)
            {
                _roots.Clear();
            }

            if (_roots.TryAdd(root, new Entry(epoch, sequence)))
            {
                return;
            }
        }
    }

    /// <summary>Moves <paramref name="root"/> from epoch <paramref name="seen"/> (if still known) to <paramref name="current"/>.</summary>
    public bool Adopt(string root, string? seen, string current)
    {
        var before = _roots.TryGetValue(root, out var entry) ? entry : null;
        if (!string.Equals(before?.Epoch, seen, StringComparison.Ordinal))
        {
            return false;
        }

        return before is null
            ? _roots.TryAdd(root, new Entry(current, 0))
            : _roots.TryUpdate(root, new Entry(current, 0), before);
    }

    /// <summary>An epoch (null when unknown) and the highest commit sequence seen in it.</summary>
    public readonly record struct Seen(string? Epoch, long Sequence)
    {
        public static Seen None => default;
    }

    private sealed class Entry(string epoch, long sequence)
    {
        public readonly string Epoch = epoch;
        public long Sequence = sequence;

        /// <summary>Raises <see cref="Sequence"/> to <paramref name="sequence"/> unless it is already higher.</summary>
        public void Raise(long sequence)
        {
            var current = Volatile.Read(ref Sequence);
            while (sequence > current)
            {
                var found = Interlocked.CompareExchange(ref Sequence, sequence, current);
                if (found == current)
                {
                    return;
                }

                current = found;
            }
        }
    }
}
