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

    private readonly ConcurrentDictionary<string, Seen> _roots = new(StringComparer.Ordinal);

    /// <summary>What was seen of <paramref name="root"/>; <see cref="Seen.None"/> when nothing (or forgotten).</summary>
    public Seen Of(string root) => _roots.TryGetValue(root, out var seen) ? seen : Seen.None;

    /// <summary>
    /// Records that a commit saw <paramref name="epoch"/> at <paramref name="sequence"/>: raises the sequence within
    /// the epoch known, or learns the epoch of a root not known yet; an epoch replaced meanwhile is left alone.
    /// </summary>
    public void Saw(string root, string epoch, long sequence)
    {
        if (_roots.Count >= Capacity && !_roots.ContainsKey(root))
        {
            _roots.Clear();
        }

        _roots.AddOrUpdate(
            root,
            static (_, arg) => new Seen(arg.epoch, arg.sequence),
            static (_, current, arg) => current.Epoch is null
                ? new Seen(arg.epoch, arg.sequence)
                : current.Epoch == arg.epoch && arg.sequence > current.Sequence ? current with { Sequence = arg.sequence } : current,
            (epoch, sequence));
    }

    /// <summary>Moves <paramref name="root"/> from epoch <paramref name="seen"/> (if still known) to <paramref name="current"/>.</summary>
    public bool Adopt(string root, string? seen, string current)
    {
        var before = Of(root);
        if (before.Epoch != seen)
        {
            return false;
        }

        return before.Epoch is null
            ? _roots.TryAdd(root, new Seen(current, 0))
            : _roots.TryUpdate(root, new Seen(current, 0), before);
    }

    /// <summary>An epoch (null when unknown) and the highest commit sequence seen in it.</summary>
    public sealed record Seen(string? Epoch, long Sequence)
    {
        public static readonly Seen None = new(null, 0);
    }
}
