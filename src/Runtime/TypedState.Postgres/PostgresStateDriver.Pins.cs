using System.Runtime.CompilerServices;
using TypedState.Timeline;

namespace TypedState.Postgres;

// Pinned replay points (storage layout 5, PostgresSql.SnapshotLayout.cs): sequences prune_timeline keeps readable,
// stored beside the guild's timeline and deleted with it. Each operation is one round trip.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    /// <remarks>Under a share lock of the timeline's row, so a concurrent prune runs wholly before (and the pin is refused) or after (and keeps it).</remarks>
    public async ValueTask<GuildTimeline> PinAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return await KeepPointAsync(guildId, sequence, document: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<GuildTimeline> UnpinAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        var unpin = GuildCommand(_sql.Unpin, guildId);
        unpin.Parameters.Add(SequenceParameter(sequence));
        batch.BatchCommands.Add(unpin);
        batch.BatchCommands.Add(GuildCommand(_sql.ReadTimeline, guildId));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadTimelineRow(reader) : throw NotStarted(guildId);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ListPinsAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var sequence in await ReadSequencesAsync(_sql.ListPins, guildId, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return sequence;
        }
    }
}
