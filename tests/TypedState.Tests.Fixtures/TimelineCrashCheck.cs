using TypedState.Timeline;
using Xunit.Abstractions;

namespace TypedState.Tests.Fixtures;

/// <summary>
/// A child process writing transactions to a guild that keeps a timeline (worker mode "timeline-transactions") is
/// killed with SIGKILL, five times, each new one resuming on the same store. After each kill the log and the state
/// agree exactly (folding the log gives the live records, versions included), the log is gapless, every
/// transaction's entries are consecutive under one commit id, and every transaction the child reported as committed
/// is there. Any driver runs it by naming its store and how to reopen it.
/// </summary>
public static class TimelineCrashCheck
{
    private const string GuildId = "guild-1";
    private static readonly StateOwner s_agent = StateOwner.Agent(GuildId, "agent-1");
    private static readonly StateOwner s_guild = StateOwner.Guild(GuildId);

    /// <summary>
    /// Runs the five kills against <paramref name="store"/> (a worker store spec), checking the store through a
    /// manager from <paramref name="open"/> after each.
    /// </summary>
    public static async Task KillFiveTimesAsync(string store, Func<StateManager> open, ITestOutputHelper output)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var next = 1L;
        foreach (var killAfter in (int[])[7, 15, 3, 25, 10])
        {
            var reported = await WorkerKills.RunAndKillAsync("timeline-transactions", store, next, killAfter, timeout.Token);
            await using var state = open();
            var last = await VerifyAsync(state, reported[^1]);
            output.WriteLine($"kill after {killAfter}: {reported.Count} reported (up to {reported[^1]}), {last} stored.");
            next = last + 1;
        }
    }

    /// <summary>Checks the reopened store; returns the last transaction it holds.</summary>
    private static async Task<long> VerifyAsync(StateManager state, long lastReported)
    {
        var entries = new List<TimelineEntry>();
        await foreach (var entry in state.Timelines.ReadAsync(GuildId))
        {
            entries.Add(entry);
        }

        // Gapless, and the head is the last entry.
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.Equal(entries.Count, (await state.Timelines.GetAsync(GuildId))!.Head);

        // Folding the log gives the live state exactly.
        var folded = new Dictionary<(StateOwner, string), (string Json, long Version)>();
        foreach (var entry in entries.Where(e => e.Kind == TimelineEntryKind.Set))
        {
            folded[(entry.Owner, entry.Key)] = (System.Text.Encoding.UTF8.GetString(entry.Value.Span), entry.Version);
        }

        var live = new Dictionary<(StateOwner, string), (string Json, long Version)>();
        foreach (var owner in (StateOwner[])[s_agent, s_guild])
        {
            await foreach (var record in state.Driver.ListAsync(owner, string.Empty, CancellationToken.None))
            {
                live[(owner, record.Key)] = (System.Text.Encoding.UTF8.GetString(record.Value.Span), record.Version);
            }
        }

        Assert.Equal(live.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal), folded.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal));

        // Every transaction up to the last stored (the reported ones, perhaps one more) is four consecutive entries of one commit.
        var last = await state.GetAsync<long>(s_guild, "last");
        Assert.InRange(last.Value, lastReported, lastReported + 1);
        var commits = entries.GroupBy(e => e.CommitId).ToList();
        Assert.Equal(last.Value, commits.Count);
        Assert.All(commits, commit =>
        {
            var sequences = commit.Select(e => e.Sequence).ToList();
            Assert.Equal(Enumerable.Range((int)sequences[0], 4).Select(i => (long)i), sequences);
        });
        Assert.Equal(
            Enumerable.Range(1, (int)last.Value).Select(n => $"evt-{n}"),
            entries.Where(e => e.Kind == TimelineEntryKind.Append).Select(e => e.Key));
        return last.Value;
    }
}
