using System.Runtime.CompilerServices;
using TypedState.Storage;

namespace TypedState.InMemory;

// Whole-guild snapshots: documents kept beside the guild's timeline, and the owners a guild held as of a sequence.
public sealed partial class InMemoryStateDriver : ITimelineSnapshotDriver
{
    /// <inheritdoc />
    public ValueTask SaveSnapshotAsync(string guildId, long sequence, ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var log = Started(guildId);
            CheckReadable(log, sequence);
            log.Snapshots[sequence] = document.ToArray();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ListSnapshotsAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<long> sequences;
        lock (_writeGate)
        {
            sequences = [.. Started(guildId).Snapshots.Keys.Reverse()];
        }

        foreach (var sequence in sequences)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return sequence;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<ReadOnlyMemory<byte>?> ReadSnapshotAsync(string guildId, long sequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            return ValueTask.FromResult(Started(guildId).Snapshots.TryGetValue(sequence, out var document) ? document : (ReadOnlyMemory<byte>?)null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateOwner> ListOwnersAsOfAsync(string guildId, long sequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var owners = new List<StateOwner>();
        lock (_writeGate)
        {
            var log = Started(guildId);
            CheckReadable(log, sequence);
            var candidates = new HashSet<StateOwner>();
            log.CollectOwners(sequence, candidates);
            owners.AddRange(candidates.Where(owner => log.RecordsAsOf(owner, string.Empty, sequence).Any(record => record.Change.Value is not null)));
        }

        owners.Sort(CompareOwners);
        foreach (var owner in owners)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return owner;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
