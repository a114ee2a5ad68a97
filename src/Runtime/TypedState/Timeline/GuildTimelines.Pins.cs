using System.Runtime.CompilerServices;

namespace TypedState.Timeline;

// Pinned replay points: the spans of history a prune must keep for later replays.
public sealed partial class GuildTimelines
{
    /// <inheritdoc />
    public ValueTask<GuildTimeline> PinAsync(string guildId, long sequence, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return RunAsync("timeline.pin", guildId, null, (driver, ct) => driver.PinAsync(guildId, sequence, ct), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<GuildTimeline> UnpinAsync(string guildId, long sequence, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return RunAsync("timeline.unpin", guildId, null, (driver, ct) => driver.UnpinAsync(guildId, sequence, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ListPinsAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var driver = Driver(guildId);
        await foreach (var pin in TranslatedAsync(driver.ListPinsAsync(guildId, cancellationToken), "timeline.list_pins", StateOwner.Guild(guildId), cancellationToken).ConfigureAwait(false))
        {
            yield return pin;
        }
    }
}
