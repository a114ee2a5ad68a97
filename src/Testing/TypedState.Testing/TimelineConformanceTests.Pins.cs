using TypedState.Timeline;

namespace TypedState.Testing;

// Pinned replay points: a prune keeps them readable until they are unpinned.
public abstract partial class TimelineConformanceTests
{
    [Fact]
    public async Task Pruning_keeps_a_pinned_replay_point_and_every_later_entry_until_it_is_unpinned()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        for (var i = 1; i <= 10; i++)
        {
            await state.SetAsync(Guild, $"k{i % 3}", $"v{i}");
        }

        var atFour = await AsOfAsync(state, Guild, 4);
        await state.Timelines.PinAsync(G, 7);
        await state.Timelines.PinAsync(G, 4);
        var pinned = await state.Timelines.PinAsync(G, 4);
        Assert.Equal((10L, 0L), (pinned.Head, pinned.RetainedFrom));
        Assert.Equal([4L, 7], await PinsAsync(state, G));

        var pruned = await state.Timelines.PruneAsync(G, 9);
        Assert.Equal(4, pruned.RetainedFrom);
        Assert.Equal(atFour, await AsOfAsync(state, Guild, 4));
        Assert.Equal([5L, 6, 7, 8, 9, 10], (await EntriesAsync(state, G, after: 4)).Select(e => e.Sequence));
        var below = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.GetAsOfAsync<string>(Guild, "k1", 3));
        Assert.Equal((TimelineFailure.Pruned, G, 3L), (below.Failure, below.GuildId, below.Sequence));

        // Unpinning 4 lets the next prune go up to the other pin; unpinning a sequence that is not pinned changes nothing.
        await state.Timelines.UnpinAsync(G, 4);
        await state.Timelines.UnpinAsync(G, 5);
        Assert.Equal([7L], await PinsAsync(state, G));
        Assert.Equal(7, (await state.Timelines.PruneAsync(G, 9)).RetainedFrom);
        await state.Timelines.UnpinAsync(G, 7);
        Assert.Empty(await PinsAsync(state, G));
        Assert.Equal(9, (await state.Timelines.PruneAsync(G, 9)).RetainedFrom);
    }

    [Fact]
    public async Task Pins_are_refused_outside_the_readable_history_and_go_with_their_guild()
    {
        var state = await CreateManagerAsync();
        var none = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.PinAsync(G, 0));
        Assert.Equal((TimelineFailure.NotStarted, G, StateWriteOutcome.NotApplied), (none.Failure, none.GuildId, none.Outcome));

        await state.Timelines.StartAsync(G);
        for (var i = 1; i <= 5; i++)
        {
            await state.SetAsync(AgentA, "k", $"v{i}");
        }

        var beyond = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.PinAsync(G, 6));
        Assert.Equal((TimelineFailure.BeyondHead, G, 6L), (beyond.Failure, beyond.GuildId, beyond.Sequence));
        await state.Timelines.PruneAsync(G, 3);
        var pruned = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.PinAsync(G, 2));
        Assert.Equal((TimelineFailure.Pruned, G, 2L), (pruned.Failure, pruned.GuildId, pruned.Sequence));
        Assert.Empty(await PinsAsync(state, G));

        // A fork starts with no pins of its own, and its source's pins stay the source's.
        await state.Timelines.PinAsync(G, 3);
        if (await ForksRefusedAsync(state, G, 4, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 4, ForkId);
        Assert.Empty(await PinsAsync(state, ForkId));
        await state.Timelines.PinAsync(ForkId, 4);
        Assert.Equal([4L], await PinsAsync(state, ForkId));
        Assert.Equal([3L], await PinsAsync(state, G));

        // Removing a guild removes its pins: a timeline started again under its id has none.
        await state.RemoveGuildAsync(ForkId);
        await Assert.ThrowsAsync<StateTimelineException>(async () => await PinsAsync(state, ForkId));
        await state.Timelines.StartAsync(ForkId);
        Assert.Empty(await PinsAsync(state, ForkId));
    }

    private static async Task<List<long>> PinsAsync(StateManager state, string guildId)
    {
        var pins = new List<long>();
        await foreach (var pin in state.Timelines.ListPinsAsync(guildId))
        {
            pins.Add(pin);
        }

        return pins;
    }
}
