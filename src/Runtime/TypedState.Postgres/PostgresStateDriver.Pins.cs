using TypedState.Timeline;

namespace TypedState.Postgres;

// Pinned replay points: not kept by this driver yet.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    public ValueTask<GuildTimeline> PinAsync(string guildId, long sequence, CancellationToken cancellationToken) => throw PinsNotSupported(guildId);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> UnpinAsync(string guildId, long sequence, CancellationToken cancellationToken) => throw PinsNotSupported(guildId);

    /// <inheritdoc />
    public IAsyncEnumerable<long> ListPinsAsync(string guildId, CancellationToken cancellationToken) => throw PinsNotSupported(guildId);

    private static StateTimelineException PinsNotSupported(string guildId) =>
        new(TimelineFailure.NotSupported, guildId, null, "This driver does not keep pinned replay points yet.");
}
