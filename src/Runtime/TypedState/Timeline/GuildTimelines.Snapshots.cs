using System.Runtime.CompilerServices;
using System.Text.Json;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState.Timeline;

// Whole-guild snapshots: taking one from the driver's as-of reads, and rebuilding a state from the nearest readable
// snapshot plus the entries after it.
public sealed partial class GuildTimelines
{
    /// <inheritdoc />
    public async ValueTask<GuildSnapshot> SnapshotAsync(string guildId, long? atSequence = null, CancellationToken cancellationToken = default)
    {
        var driver = SnapshotDriver(guildId);
        var tracker = OperationTracker.Start("timeline.snapshot", _manager.Driver.Name, StateOwner.Guild(guildId), null);
        try
        {
            var sequence = atSequence ?? (await driver.ReadTimelineAsync(guildId, cancellationToken).ConfigureAwait(false) ?? throw NotStarted(guildId)).Head;
            var snapshot = await StateAsOfAsync(driver, guildId, sequence, cancellationToken).ConfigureAwait(false);
            await driver.SaveSnapshotAsync(guildId, sequence, SnapshotDocument.Write(snapshot), cancellationToken).ConfigureAwait(false);
            var records = snapshot.Owners.Sum(owner => owner.Records.Count);
            StateLog.SnapshotTaken(_manager.Logger, guildId, sequence, records);
            tracker.Complete();
            return snapshot;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw _manager.Translate(ex, "timeline.snapshot", StateOwner.Guild(guildId), null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<long> ListSnapshotsAsync(string guildId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var driver = SnapshotDriver(guildId);
        await foreach (var item in TranslatedAsync(driver.ListSnapshotsAsync(guildId, cancellationToken), "timeline.list_snapshots", StateOwner.Guild(guildId), cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <inheritdoc />
    public async ValueTask<GuildSnapshot> RebuildAsync(string guildId, long sequence, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var driver = SnapshotDriver(guildId);
        var tracker = OperationTracker.Start("timeline.rebuild", _manager.Driver.Name, StateOwner.Guild(guildId), null);
        try
        {
            var timeline = await driver.ReadTimelineAsync(guildId, cancellationToken).ConfigureAwait(false) ?? throw NotStarted(guildId);
            if (sequence > timeline.Head)
            {
                throw new StateTimelineException(TimelineFailure.BeyondHead, guildId, sequence, $"Sequence {sequence} of guild '{guildId}' is beyond its head {timeline.Head}.");
            }

            var baseline = await NearestSnapshotAsync(driver, guildId, sequence, cancellationToken).ConfigureAwait(false)
                ?? await StateAsOfAsync(driver, guildId, Math.Min(sequence, timeline.RetainedFrom), cancellationToken).ConfigureAwait(false);
            var state = baseline.Owners.ToDictionary(owner => owner.Owner, owner => owner.Records.ToDictionary(record => record.Key, StringComparer.Ordinal));
            await foreach (var entry in driver.ReadEntriesAsync(guildId, baseline.Sequence, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Sequence > sequence)
                {
                    break;
                }

                Apply(state, entry);
            }

            tracker.Complete();
            return new GuildSnapshot(guildId, sequence, Ordered(state));
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw _manager.Translate(ex, "timeline.rebuild", StateOwner.Guild(guildId), null);
        }
    }

    /// <summary>The newest snapshot at or below <paramref name="sequence"/> that reads; unreadable ones are logged and passed over.</summary>
    private async ValueTask<GuildSnapshot?> NearestSnapshotAsync(ITimelineSnapshotDriver driver, string guildId, long sequence, CancellationToken cancellationToken)
    {
        await foreach (var candidate in driver.ListSnapshotsAsync(guildId, cancellationToken).ConfigureAwait(false))
        {
            if (candidate > sequence)
            {
                continue;
            }

            var document = await driver.ReadSnapshotAsync(guildId, candidate, cancellationToken).ConfigureAwait(false);
            try
            {
                return document is { } stored ? SnapshotDocument.Read(stored, guildId, candidate) : null;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException)
            {
                StateLog.SnapshotUnreadable(_manager.Logger, guildId, candidate, ex);
            }
        }

        return null;
    }

    /// <summary>The guild's state as of <paramref name="sequence"/>, read through the driver's as-of reads.</summary>
    private static async ValueTask<GuildSnapshot> StateAsOfAsync(ITimelineSnapshotDriver driver, string guildId, long sequence, CancellationToken cancellationToken)
    {
        var owners = new List<SnapshotOwner>();
        await foreach (var owner in driver.ListOwnersAsOfAsync(guildId, sequence, cancellationToken).ConfigureAwait(false))
        {
            var records = new List<SnapshotRecord>();
            await foreach (var record in driver.ListAsOfAsync(owner, string.Empty, sequence, cancellationToken).ConfigureAwait(false))
            {
                records.Add(new SnapshotRecord(record.Key, record.Version, SnapshotDocument.SchemaVersionOf(record.Value.Span), record.Value.ToArray()));
            }

            owners.Add(new SnapshotOwner(owner, records));
        }

        return new GuildSnapshot(guildId, sequence, owners);
    }

    private static void Apply(Dictionary<StateOwner, Dictionary<string, SnapshotRecord>> state, TimelineEntry entry)
    {
        switch (entry.Kind)
        {
            case TimelineEntryKind.Set:
                if (!state.TryGetValue(entry.Owner, out var records))
                {
                    records = new Dictionary<string, SnapshotRecord>(StringComparer.Ordinal);
                    state.Add(entry.Owner, records);
                }

                records[entry.Key] = new SnapshotRecord(entry.Key, entry.Version, SnapshotDocument.SchemaVersionOf(entry.Value.Span), entry.Value);
                break;
            case TimelineEntryKind.Delete:
                if (state.TryGetValue(entry.Owner, out var owned))
                {
                    owned.Remove(entry.Key);
                }

                break;
            case TimelineEntryKind.RemoveOwner:
                state.Remove(entry.Owner);
                break;
        }
    }

    private static List<SnapshotOwner> Ordered(Dictionary<StateOwner, Dictionary<string, SnapshotRecord>> state) =>
        [.. state.Where(owner => owner.Value.Count > 0)
            .OrderBy(owner => owner.Key.Scope == Scope.Guild ? 0 : 1)
            .ThenBy(owner => owner.Key.AgentIdOrEmpty, StateKeyOrder.Comparer)
            .Select(owner => new SnapshotOwner(owner.Key, [.. owner.Value.Values.OrderBy(record => record.Key, StateKeyOrder.Comparer)]))];

    private ITimelineSnapshotDriver SnapshotDriver(string guildId)
    {
        _ = Driver(guildId);
        return _manager.Driver as ITimelineSnapshotDriver
            ?? throw new StateTimelineException(TimelineFailure.NotSupported, guildId, null, $"The {_manager.Driver.Name} driver keeps no guild snapshots.");
    }

    private static StateTimelineException NotStarted(string guildId) =>
        new(TimelineFailure.NotStarted, guildId, null, $"Guild '{guildId}' has no timeline: it was never started, or the guild was removed.");
}
