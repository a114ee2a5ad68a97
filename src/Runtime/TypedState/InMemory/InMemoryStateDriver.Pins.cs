using System.Runtime.CompilerServices;
using TypedState.Timeline;

namespace TypedState.InMemory;

// Pinned replay points: sequences a prune keeps readable.
public sealed partial class InMemoryStateDriver
{
    /// <inheritdoc />
    public ValueTask<GuildTimeline> PinAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = Started(guildId);
            CheckReadable(log, sequence);
            log.Pins.Add(sequence);
            return ValueTask.FromResult(log.Describe());
        }
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> UnpinAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = Started(guildId);
            log.Pins.Remove(sequence);
            return ValueTask.FromResult(log.Describe());
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ListPinsAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long[] pins;
        lock (_writeGate)
        {
            pins = [.. Started(guildId).Pins];
        }

        foreach (var pin in pins)
        {
            yield return pin;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
