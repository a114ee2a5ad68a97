using TypedState.Timeline;

namespace TypedState.Sqlite;

// Pinned replay points (storage layout 5): rows of typedstate_pins that a prune keeps readable (.Timeline.cs lowers
// its horizon to the lowest); they go with their guild (SqliteTimelineRemoval), and a fork starts with none.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    public ValueTask<GuildTimeline> PinAsync(string guildId, long sequence, CancellationToken cancellationToken) =>
        ChangePinAsync(guildId, sequence, SqliteSnapshotSql.Pin, cancellationToken);

    /// <inheritdoc />
    public ValueTask<GuildTimeline> UnpinAsync(string guildId, long sequence, CancellationToken cancellationToken) =>
        ChangePinAsync(guildId, sequence, SqliteSnapshotSql.Unpin, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<long> ListPinsAsync(string guildId, CancellationToken cancellationToken) =>
        ListSequencesAsync(guildId, SqliteSnapshotSql.ListPins, "$after", long.MinValue, cancellationToken);

    private ValueTask<GuildTimeline> ChangePinAsync(string guildId, long sequence, string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(Writer.Run(
            (guildId, sequence, sql),
            static (session, request) =>
            {
                var row = SqliteTimelines.Started(session, request.guildId);

                // Only a readable point can be pinned; any sequence can be unpinned (an absent pin changes nothing).
                if (request.sql == SqliteSnapshotSql.Pin)
                {
                    SqliteTimelines.CheckReadable(session, row, request.sequence);
                }

                var command = session.Command(request.sql, null);
                SqliteSession.Bind(command, "$guild", request.guildId);
                SqliteSession.Bind(command, "$seq", request.sequence);
                return (row.Describe(), command.ExecuteNonQuery() > 0);
            },
            mayApplyInPart: false,
            isCommit: false,
            cancellationToken));
    }
}
