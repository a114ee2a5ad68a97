using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Postgres;

// Whole-guild snapshots (storage layout 5, PostgresSql.SnapshotLayout.cs): documents kept per guild and sequence beside
// its timeline, and the owners a guild held as of a sequence. Each operation is one round trip.
public sealed partial class PostgresStateDriver : ITimelineSnapshotDriver
{
    /// <inheritdoc />
    public async ValueTask SaveSnapshotAsync(string guildId, long sequence, ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        await KeepPointAsync(guildId, sequence, document.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ListSnapshotsAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var sequence in await ReadSequencesAsync(_sql.ListSnapshots, guildId, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return sequence;
        }
    }

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>?> ReadSnapshotAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(GuildCommand(_sql.ReadTimeline, guildId));
        var read = GuildCommand(_sql.ReadSnapshot, guildId);
        read.Parameters.Add(SequenceParameter(sequence));
        batch.BatchCommands.Add(read);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw NotStarted(guildId);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetFieldValue<byte[]>(0) : null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsOfAsync(string guildId, long sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var owners = new List<StateOwner>();
        await using (var batch = _dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(ReadableCommand(guildId, sequence, upToHead: true));
            var list = GuildCommand(_sql.OwnersAsOf, guildId);
            list.Parameters.Add(SequenceParameter(sequence));
            batch.BatchCommands.Add(list);
            try
            {
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    owners.Add(StateOwner.FromStored((Scope)reader.GetInt16(0), guildId, reader.GetString(1)));
                }
            }
            catch (PostgresException ex) when (IsTimelineRefusal(ex))
            {
                throw TimelineRefusal(ex, guildId, sequence);
            }
        }

        // The guild owner first, then the agents in code point order of their ids, as every driver lists them.
        owners.Sort(static (a, b) => a.Scope == b.Scope
            ? StateKeyOrder.Comparer.Compare(a.AgentIdOrEmpty, b.AgentIdOrEmpty)
            : a.Scope == Scope.Guild ? -1 : 1);
        foreach (var owner in owners)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return owner;
        }
    }

    /// <summary>
    /// Stores a snapshot, or a pin when <paramref name="document"/> is null, at a readable sequence (refusals as for
    /// reads as of it); returns the timeline.
    /// </summary>
    private async Task<GuildTimeline> KeepPointAsync(string guildId, long sequence, byte[]? document, CancellationToken cancellationToken)
    {
        var keep = GuildCommand(_sql.KeepPoint, guildId);
        keep.Parameters.Add(SequenceParameter(sequence));
        keep.Parameters.Add(new NpgsqlParameter("document", NpgsqlDbType.Bytea) { Value = (object?)document ?? DBNull.Value });
        return await ChangeTimelineAsync(keep, guildId, sequence, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sequences a statement lists for a guild (snapshots or pins), after the refusal of a guild without a timeline.</summary>
    private async Task<List<long>> ReadSequencesAsync(string sql, string guildId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(GuildCommand(_sql.ReadTimeline, guildId));
        batch.BatchCommands.Add(GuildCommand(sql, guildId));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw NotStarted(guildId);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var sequences = new List<long>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sequences.Add(reader.GetInt64(0));
        }

        return sequences;
    }
}
