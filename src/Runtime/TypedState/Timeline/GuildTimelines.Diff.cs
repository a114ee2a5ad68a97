using TypedState.Observability;
using TypedState.Storage;

namespace TypedState.Timeline;

// Diffs of two timelines: their shared history, what each did since, and the records that differ now.
public sealed partial class GuildTimelines
{
    /// <inheritdoc />
    public async ValueTask<TimelineDiff> DiffAsync(string leftGuildId, string rightGuildId, CancellationToken cancellationToken = default)
    {
        var driver = SnapshotDriver(leftGuildId);
        _ = SnapshotDriver(rightGuildId);
        var tracker = OperationTracker.Start("timeline.diff", _manager.Driver.Name, StateOwner.Guild(leftGuildId), null);
        try
        {
            var left = await AncestryAsync(driver, leftGuildId, cancellationToken).ConfigureAwait(false);
            var right = await AncestryAsync(driver, rightGuildId, cancellationToken).ConfigureAwait(false);

            // The nearest timeline in both ancestries; they share its history up to the lower of the two points.
            var (common, leftPoint, rightPoint) = left
                .Select(l => (l.GuildId, l.UpTo, Right: right.FirstOrDefault(r => r.GuildId == l.GuildId)))
                .Where(pair => pair.Right.GuildId is not null)
                .Select(pair => ((string?)pair.GuildId, pair.UpTo, pair.Right.UpTo))
                .FirstOrDefault();
            var shared = common is null ? 0 : Math.Min(leftPoint, rightPoint);

            var leftSince = await SinceAsync(driver, leftGuildId, shared, cancellationToken).ConfigureAwait(false);
            var rightSince = await SinceAsync(driver, rightGuildId, shared, cancellationToken).ConfigureAwait(false);
            var records = Differences(
                await StateAsOfAsync(driver, leftGuildId, left[0].UpTo, cancellationToken).ConfigureAwait(false),
                await StateAsOfAsync(driver, rightGuildId, right[0].UpTo, cancellationToken).ConfigureAwait(false));
            tracker.Complete();
            return new TimelineDiff(leftGuildId, rightGuildId, common, shared, leftSince, rightSince, records);
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw _manager.Translate(ex, "timeline.diff", StateOwner.Guild(leftGuildId), null);
        }
    }

    /// <summary>The guild at its head, then each timeline it was forked from, at the point its history reaches.</summary>
    private static async ValueTask<List<(string GuildId, long UpTo)>> AncestryAsync(ITimelineDriver driver, string guildId, CancellationToken cancellationToken)
    {
        var timeline = await driver.ReadTimelineAsync(guildId, cancellationToken).ConfigureAwait(false) ?? throw NotStarted(guildId);
        var chain = new List<(string, long)> { (guildId, timeline.Head) };
        var reach = timeline.ForkSequence;
        while (timeline.ForkedFrom is { } parent)
        {
            chain.Add((parent, reach));
            timeline = await driver.ReadTimelineAsync(parent, cancellationToken).ConfigureAwait(false) ?? throw NotStarted(parent);
            reach = Math.Min(reach, timeline.ForkSequence);
        }

        return chain;
    }

    /// <summary>The guild's entries after the shared point (all of its own and inherited entries past it).</summary>
    /// <remarks>
    /// A fork numbers its entries as its source up to its fork point, so the shared point (in the common timeline's
    /// numbering) is a point in each guild's own numbering too; entries after it include what a guild inherited past it.
    /// </remarks>
    private static async ValueTask<List<TimelineEntry>> SinceAsync(ITimelineDriver driver, string guildId, long shared, CancellationToken cancellationToken)
    {
        var entries = new List<TimelineEntry>();
        await foreach (var entry in driver.ReadEntriesAsync(guildId, shared, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static List<RecordDifference> Differences(GuildSnapshot left, GuildSnapshot right)
    {
        static Dictionary<(Scope, string?, string), SnapshotRecord> Index(GuildSnapshot snapshot) =>
            snapshot.Owners.SelectMany(owner => owner.Records.Select(record => ((owner.Owner.Scope, owner.Owner.AgentId, record.Key), record)))
                .ToDictionary(pair => pair.Item1, pair => pair.record);

        var l = Index(left);
        var r = Index(right);
        return [.. l.Keys.Union(r.Keys)
            .Select(id => (id, Left: l.GetValueOrDefault(id), Right: r.GetValueOrDefault(id)))
            .Where(pair => pair.Left is null || pair.Right is null || pair.Left.Version != pair.Right.Version || !pair.Left.Value.Span.SequenceEqual(pair.Right.Value.Span))
            .OrderBy(pair => pair.id.Item1 == Scope.Guild ? 0 : 1)
            .ThenBy(pair => pair.id.Item2 ?? string.Empty, StateKeyOrder.Comparer)
            .ThenBy(pair => pair.id.Item3, StateKeyOrder.Comparer)
            .Select(pair => new RecordDifference(pair.id.Item1, pair.id.Item2, pair.id.Item3, pair.Left, pair.Right))];
    }
}
