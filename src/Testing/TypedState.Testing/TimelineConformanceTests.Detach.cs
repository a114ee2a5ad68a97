using TypedState.Timeline;

namespace TypedState.Testing;

// Detaching a fork: it keeps reading exactly as before from its fork point on, without its source, which can then be
// pruned and removed; bad input is refused with nothing changed.
public abstract partial class TimelineConformanceTests
{
    [Fact]
    public async Task A_detached_fork_reads_as_before_from_its_fork_point_on_without_its_source()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "plan", "v1");
        await state.SetAsync(AgentA, "notes", "a-v1");
        await state.SetAsync(AgentB, "notes", "b-v1");
        await state.SetAsync(AgentB, "draft", "gone before the fork");
        await state.DeleteAsync(AgentB, "draft");
        await state.SetAsync(Guild, "plan", "v2");
        var forkPoint = (await state.Timelines.GetAsync(G))!.Head;
        await state.SetAsync(Guild, "plan", "v3, source only");
        if (await ForksRefusedAsync(state, G, forkPoint, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, forkPoint, ForkId);
        await state.SetAsync(ForkGuild, "plan", "fork v3");
        await state.SetAsync(ForkAgentA, "own", "fork only");
        await state.DeleteAsync(ForkAgentA, "notes");

        var head = (await state.Timelines.GetAsync(ForkId))!.Head;
        var before = await ViewAsync(state, ForkId, forkPoint, head);
        var entriesBefore = Described(await EntriesAsync(state, ForkId, forkPoint));

        var detached = await state.Timelines.DetachAsync(ForkId);
        Assert.Null(detached.ForkedFrom);
        Assert.Equal((ForkId, head, 0L, forkPoint, false), (detached.GuildId, detached.Head, detached.ForkSequence, detached.RetainedFrom, detached.IsFork));
        Assert.Equal(detached, await state.Timelines.GetAsync(ForkId));
        Assert.Empty(await ForksAsync(state, G));
        Assert.Equal(before, await ViewAsync(state, ForkId, forkPoint, head));
        Assert.Equal(entriesBefore, Described(await EntriesAsync(state, ForkId, forkPoint)));

        // Its history before the fork point is gone, as a prune there would drop it.
        var pruned = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.GetAsOfAsync<string>(ForkGuild, "plan", forkPoint - 1));
        Assert.Equal((TimelineFailure.Pruned, ForkId, forkPoint - 1), (pruned.Failure, pruned.GuildId, pruned.Sequence));
        await Assert.ThrowsAsync<StateTimelineException>(async () => await EntriesAsync(state, ForkId, forkPoint - 1));

        // The source can now be pruned past the old fork point and removed; the fork reads the same.
        var sourceHead = (await state.Timelines.GetAsync(G))!.Head;
        Assert.Equal(sourceHead, (await state.Timelines.PruneAsync(G, sourceHead)).RetainedFrom);
        await state.RemoveGuildAsync(G);
        Assert.Equal(before, await ViewAsync(state, ForkId, forkPoint, head));
        Assert.Equal(entriesBefore, Described(await EntriesAsync(state, ForkId, forkPoint)));

        // The copy is history of its own now: pruning the fork itself keeps its state at the horizon.
        Assert.Equal(head, (await state.Timelines.PruneAsync(ForkId, head)).RetainedFrom);
        Assert.Equal(before.Skip((int)(head - forkPoint) * 3), await ViewAsync(state, ForkId, head, head));

        // Versions continue what it read (a tombstone's too), sequences continue its own, and the source's id is free.
        Assert.Equal(2, await state.SetAsync(AgentB.InGuild(ForkId), "notes", "b-v2", expectedVersion: 1));
        Assert.Equal(3, await state.SetAsync(AgentB.InGuild(ForkId), "draft", "back"));
        Assert.Equal(head + 2, (await state.Timelines.GetAsync(ForkId))!.Head);
        await state.SetAsync(Guild, "plan", "a new guild G");
        Assert.Equal(("fork v3", 3L), Entry(await state.GetAsync<string>(ForkGuild, "plan")));
        Assert.Equal("a new guild G", (await state.GetAsync<string>(Guild, "plan")).Value);
    }

    [Fact]
    public async Task After_a_detach_the_fork_and_its_source_stay_isolated_both_ways()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "k", "v1");
        await state.SetAsync(AgentA, "k", "a1");
        if (await ForksRefusedAsync(state, G, 2, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 2, ForkId);
        await state.Timelines.DetachAsync(ForkId);

        await state.SetAsync(Guild, "k", "source v2");
        await state.SetAsync(ForkAgentA, "k", "fork a2");
        await state.DeleteAsync(AgentA, "k");
        Assert.Equal(("v1", 1L), Entry(await state.GetAsync<string>(ForkGuild, "k")));
        Assert.Equal(("fork a2", 2L), Entry(await state.GetAsync<string>(ForkAgentA, "k")));
        Assert.Equal(("source v2", 2L), Entry(await state.GetAsync<string>(Guild, "k")));
        Assert.False((await state.GetAsync<string>(AgentA, "k")).Exists);
        Assert.Contains(ForkAgentA, await OwnersAsync(state, Scope.Agent));
        Assert.Equal([("k", (string?)"v1", 1L)], await LiveAsync(state, ForkGuild));
    }

    [Fact]
    public async Task Detaching_a_guild_that_is_no_fork_is_refused_naming_it_and_changes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "k", "v");
        var root = await state.Timelines.GetAsync(G);

        var notAFork = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.DetachAsync(G));
        Assert.Equal((TimelineFailure.NotAFork, G), (notAFork.Failure, notAFork.GuildId));
        var unknown = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.DetachAsync("nobody"));
        Assert.Equal((TimelineFailure.NotStarted, "nobody"), (unknown.Failure, unknown.GuildId));
        Assert.Equal(root, await state.Timelines.GetAsync(G));
        Assert.Null(await state.Timelines.GetAsync("nobody"));

        if (await ForksRefusedAsync(state, G, 1, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 1, ForkId);
        await state.Timelines.DetachAsync(ForkId);
        var twice = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.DetachAsync(ForkId));
        Assert.Equal((TimelineFailure.NotAFork, ForkId), (twice.Failure, twice.GuildId));
        Assert.Equal(("v", 1L), Entry(await state.GetAsync<string>(ForkGuild, "k")));
    }

    [Fact]
    public async Task Detaching_the_middle_of_a_fork_of_a_fork_keeps_the_grandchild_reading_through_it()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "a", "root a");
        await state.SetAsync(Guild, "b", "root b");
        await state.SetAsync(AgentA, "x", "root x");
        if (await ForksRefusedAsync(state, G, 3, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 3, ForkId);
        await state.SetAsync(ForkGuild, "b", "fork b");
        await state.SetAsync(ForkGuild, "c", "fork c");
        await state.Timelines.ForkAsync(ForkId, 5, "grandchild");
        await state.SetAsync(ForkGuild, "c", "fork c, later");
        await state.SetAsync(StateOwner.Guild("grandchild"), "d", "grandchild d");

        var forkView = await ViewAsync(state, ForkId, 3, 6);
        var grandchildView = await ViewAsync(state, "grandchild", 3, 6);
        await state.Timelines.DetachAsync(ForkId);
        Assert.Equal(forkView, await ViewAsync(state, ForkId, 3, 6));
        Assert.Equal(grandchildView, await ViewAsync(state, "grandchild", 3, 6));
        Assert.Equal(["grandchild"], await ForksAsync(state, ForkId));

        await state.RemoveGuildAsync(G);
        Assert.Equal(grandchildView, await ViewAsync(state, "grandchild", 3, 6));
        Assert.Equal(
            [("a", (string?)"root a", 1L), ("b", "fork b", 2L), ("c", "fork c", 1L), ("d", "grandchild d", 1L)],
            await LiveAsync(state, StateOwner.Guild("grandchild")));
        var detached = await state.Timelines.DetachAsync("grandchild");
        Assert.Equal((false, 5L), (detached.IsFork, detached.RetainedFrom));
        Assert.Equal(grandchildView.Skip(6), await ViewAsync(state, "grandchild", 5, 6));
    }

    [Fact]
    public async Task A_fork_with_a_fork_below_its_fork_point_is_not_detached_until_that_one_is()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "a", "v1");
        await state.SetAsync(Guild, "a", "v2");
        if (await ForksRefusedAsync(state, G, 2, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 2, ForkId);
        await state.Timelines.ForkAsync(ForkId, 1, "early");
        var fork = await state.Timelines.GetAsync(ForkId);

        var refused = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.DetachAsync(ForkId));
        Assert.Equal((TimelineFailure.HasForks, ForkId), (refused.Failure, refused.GuildId));
        Assert.Contains("early", refused.Message, StringComparison.Ordinal);
        Assert.Equal(fork, await state.Timelines.GetAsync(ForkId));
        Assert.Equal([ForkId], await ForksAsync(state, G));

        await state.Timelines.DetachAsync("early");
        await state.Timelines.DetachAsync(ForkId);
        Assert.Equal(("v1", 1L), Entry(await state.GetAsync<string>(StateOwner.Guild("early"), "a")));
        Assert.Equal(("v2", 2L), Entry(await state.GetAsync<string>(ForkGuild, "a")));
    }

    [Fact]
    public async Task A_paused_fork_is_detached_paused_and_keeps_its_pins_from_the_fork_point_on()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "k", "v1");
        await state.SetAsync(Guild, "k", "v2");
        if (await ForksRefusedAsync(state, G, 2, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 2, ForkId);
        await state.SetAsync(ForkGuild, "k", "fork v3");
        await state.Timelines.PinAsync(ForkId, 1);
        await state.Timelines.PinAsync(ForkId, 3);
        await state.Timelines.PauseAsync(ForkId);

        var detached = await state.Timelines.DetachAsync(ForkId);
        Assert.Equal((3L, 3L, false), (detached.PausedAt, detached.Head, detached.IsFork));
        var refused = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.SetAsync(ForkGuild, "k", "refused"));
        Assert.Equal(TimelineFailure.Paused, refused.Failure);
        var pins = new List<long>();
        await foreach (var pin in state.Timelines.ListPinsAsync(ForkId))
        {
            pins.Add(pin);
        }

        Assert.Equal([3L], pins);
        await state.Timelines.ResumeAsync(ForkId);
        Assert.Equal(4, await state.SetAsync(ForkGuild, "k", "fork v4", expectedVersion: 3));
        Assert.Equal([("k", (string?)"v2", 2L)], await AsOfAsync(state, ForkGuild, 2));
    }

    /// <summary>What the guild's owners (guild, a1, a2) read as of each sequence in [from, to].</summary>
    private static async Task<List<string>> ViewAsync(StateManager state, string guildId, long from, long to)
    {
        var view = new List<string>();
        for (var sequence = from; sequence <= to; sequence++)
        {
            foreach (var owner in (StateOwner[])[Guild.InGuild(guildId), AgentA.InGuild(guildId), AgentB.InGuild(guildId)])
            {
                var records = await AsOfAsync(state, owner, sequence);
                view.Add($"{sequence} {owner}: {string.Join("; ", records.Select(r => $"{r.Key}={r.Value}@{r.Version}"))}");
            }
        }

        foreach (var owner in (StateOwner[])[Guild.InGuild(guildId), AgentA.InGuild(guildId), AgentB.InGuild(guildId)])
        {
            var records = await LiveAsync(state, owner);
            view.Add($"live {owner}: {string.Join("; ", records.Select(r => $"{r.Key}={r.Value}@{r.Version}"))}");
        }

        return view;
    }

    private static List<string> Described(List<TimelineEntry> entries) =>
        [.. entries.Select(e => $"{e.Sequence} {e.Kind} {e.Owner} {e.Key} {e.PreviousVersion}->{e.Version}")];
}
