using TypedState.Timeline;

namespace TypedState.Testing;

// Pause fences a guild's writes for every client until resumed; pruning drops old history but never what is still read.
public abstract partial class TimelineConformanceTests
{
    [Fact]
    public async Task A_paused_guild_refuses_every_write_from_every_client_and_changes_nothing()
    {
        var state = await CreateManagerAsync();
        var other = CreateManagerOver(state.Driver);
        await state.Timelines.StartAsync(G);
        await state.SetAsync(AgentA, "k", "before");
        var paused = await state.Timelines.PauseAsync(G);
        Assert.Equal((true, 1L), (paused.IsPaused, paused.PausedAt));

        var set = await Assert.ThrowsAsync<StateTimelineException>(async () => await other.SetAsync(AgentA, "k", "during"));
        Assert.Equal((TimelineFailure.Paused, G, 1L, StateWriteOutcome.NotApplied, AgentA, "k"), (set.Failure, set.GuildId, set.Sequence, set.Outcome, set.Owner, set.Key));
        Assert.Contains("paused at sequence 1", set.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StateTimelineException>(async () => await other.DeleteAsync(Guild, "anything"));
        await Assert.ThrowsAsync<StateTimelineException>(async () => await other.Timelines.AppendAsync(Guild, new TimelineNote("during")));
        // Where a transaction stays within one root global state cannot join it: another agent of the guild does.
        var beside = TransactionsStayWithinOneRoot ? StateOwner.Agent(G, "a3") : StateOwner.Global;
        await using (var tx = await other.BeginTransactionAsync())
        {
            await tx.SetAsync(beside, "global", "fine alone");
            await tx.SetAsync(AgentB, "k", "during");
            await Assert.ThrowsAsync<StateTimelineException>(async () => await tx.CommitAsync());
        }

        Assert.False((await state.GetAsync<string>(beside, "global")).Exists);
        Assert.Equal("before", (await other.GetAsync<string>(AgentA, "k")).Value);
        Assert.Equal(1, (await other.Timelines.GetAsync(G))!.Head);
        await other.SetAsync(StateOwner.Agent("another-guild", "a"), "k", "other guilds run");

        var resumed = await other.Timelines.ResumeAsync(G);
        Assert.Equal((false, 1L), (resumed.IsPaused, resumed.Head));
        Assert.Equal(2, await state.SetAsync(AgentA, "k", "after"));
        Assert.Equal(2, (await state.Timelines.GetAsync(G))!.Head);
    }

    [Fact]
    public async Task Pruning_drops_old_history_keeps_later_states_and_never_reuses_a_sequence()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        for (var i = 1; i <= 10; i++)
        {
            await state.SetAsync(Guild, $"k{i % 3}", $"v{i}");
        }

        var before = new List<List<(string, string?, long)>>();
        for (var s = 6; s <= 10; s++)
        {
            before.Add(await AsOfAsync(state, Guild, s));
        }

        var pruned = await state.Timelines.PruneAsync(G, 6);
        Assert.Equal((6L, 10L), (pruned.RetainedFrom, pruned.Head));
        for (var s = 6; s <= 10; s++)
        {
            Assert.Equal(before[s - 6], await AsOfAsync(state, Guild, s));
        }

        var dropped = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.GetAsOfAsync<string>(Guild, "k1", 5));
        Assert.Equal((TimelineFailure.Pruned, G, 5L), (dropped.Failure, dropped.GuildId, dropped.Sequence));
        await Assert.ThrowsAsync<StateTimelineException>(async () => await EntriesAsync(state, G, after: 2));
        Assert.Equal([7L, 8, 9, 10], (await EntriesAsync(state, G, after: 6)).Select(e => e.Sequence));
        if (!await ForksRefusedAsync(state, G, 5, "too-old"))
        {
            await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.ForkAsync(G, 5, "too-old"));
        }

        await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.PruneAsync(G, 11));

        await state.SetAsync(Guild, "k1", "v11");
        Assert.Equal(11, (await EntriesAsync(state, G, after: 10)).Single().Sequence);
    }

    [Fact]
    public async Task Pruning_keeps_the_state_a_live_fork_reads_through()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "k", "v1");
        await state.SetAsync(Guild, "k", "v2");
        if (await ForksRefusedAsync(state, G, 1, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 1, ForkId);
        await state.SetAsync(Guild, "k", "v3");

        var pruned = await state.Timelines.PruneAsync(G, 3);
        Assert.Equal(1, pruned.RetainedFrom);
        Assert.Equal(("v1", 1L), Entry(await state.GetAsync<string>(ForkGuild, "k")));
        Assert.Equal([("k", (string?)"v1", 1L)], await AsOfAsync(state, ForkGuild, 1));

        // The entries up to the horizon are gone for the fork too: asking for them is refused, never answered empty.
        var gone = await Assert.ThrowsAsync<StateTimelineException>(async () => await EntriesAsync(state, ForkId));
        Assert.Equal((TimelineFailure.Pruned, 0L), (gone.Failure, gone.Sequence));
        Assert.Empty(await EntriesAsync(state, ForkId, after: 1));

        await state.RemoveGuildAsync(ForkId);
        Assert.Equal(3, (await state.Timelines.PruneAsync(G, 3)).RetainedFrom);
        Assert.Equal([("k", (string?)"v3", 3L)], await AsOfAsync(state, Guild, 3));
    }
}
