using TypedState.Redis;
using TypedState.Timeline;

namespace TypedState.Tests.Redis;

/// <summary>
/// What the timeline suite cannot see of a detach on Redis: a copy cut short between its scripts changes no read, keeps
/// the link, and the next detach finishes it.
/// </summary>
public sealed class RedisDetachTests
{
    private const string G = "detach guild";
    private const string Fork = "detach fork";

    [Fact]
    public async Task A_detach_cut_short_between_its_scripts_leaves_the_fork_reading_as_before()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("timeline-detach-cut");
        await using var state = new StateManager(new RedisStateDriver(drivers.NewOptions()), ownsDriver: true);
        await state.Timelines.StartAsync(G);
        for (var i = 0; i < 12; i++)
        {
            await state.SetAsync(i % 3 == 0 ? StateOwner.Guild(G) : StateOwner.Agent(G, $"a{i % 3}"), $"k{i % 5}", $"v{i}");
        }

        await state.DeleteAsync(StateOwner.Agent(G, "a1"), "k1");
        await state.Timelines.ForkAsync(G, 13, Fork);
        await state.SetAsync(StateOwner.Guild(G), "k0", "source after the fork");
        await state.SetAsync(StateOwner.Guild(Fork), "k0", "fork's own");
        await state.SetAsync(StateOwner.Agent(Fork, "a2"), "k9", "fork's own agent record");
        var timeline = await state.Timelines.GetAsync(Fork);
        var before = await ViewAsync(state, 13, timeline!.Head);

        var driver = (RedisStateDriver)state.Driver;
        driver.DetachPageWritten = _ => throw new OperationCanceledException("cut short after a page");
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await driver.DetachAsync(Fork, CancellationToken.None));
        driver.DetachPageWritten = null;

        Assert.Equal(timeline, await state.Timelines.GetAsync(Fork));
        Assert.Equal(before, await ViewAsync(state, 13, timeline.Head));
        Assert.Equal("v0", (await state.Timelines.GetAsOfAsync<string>(StateOwner.Guild(Fork), "k0", 12)).Value);
        Assert.Equal(13, (await state.Timelines.PruneAsync(G, 14)).RetainedFrom);

        var detached = await state.Timelines.DetachAsync(Fork);
        Assert.Equal((false, 13L, timeline.Head), (detached.IsFork, detached.RetainedFrom, detached.Head));
        Assert.Equal(before, await ViewAsync(state, 13, timeline.Head));
        await state.RemoveGuildAsync(G);
        Assert.Equal(before, await ViewAsync(state, 13, timeline.Head));
    }

    /// <summary>What the fork's owners read as of each sequence in [from, to], and live.</summary>
    private static async Task<List<string>> ViewAsync(StateManager state, long from, long to)
    {
        StateOwner[] owners = [StateOwner.Guild(Fork), StateOwner.Agent(Fork, "a1"), StateOwner.Agent(Fork, "a2")];
        var view = new List<string>();
        for (var sequence = from; sequence <= to; sequence++)
        {
            foreach (var owner in owners)
            {
                await foreach (var entry in state.Timelines.ListAsOfAsync<string>(owner, string.Empty, sequence))
                {
                    view.Add($"{sequence} {owner} {entry.Key}={entry.Value}@{entry.Version}");
                }
            }
        }

        foreach (var owner in owners)
        {
            await foreach (var entry in state.ListAsync<string>(owner, string.Empty))
            {
                view.Add($"live {owner} {entry.Key}={entry.Value}@{entry.Version}");
            }
        }

        return view;
    }
}
