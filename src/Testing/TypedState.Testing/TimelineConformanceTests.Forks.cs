namespace TypedState.Testing;

// Forks: a new guild that starts as its source was at a sequence, isolated both ways, forks of forks, bad input.
public abstract partial class TimelineConformanceTests
{
    private const string ForkId = "timeline-fork";

    private static StateOwner ForkGuild => StateOwner.Guild(ForkId);

    private static StateOwner ForkAgentA => AgentA.InGuild(ForkId);

    [Fact]
    public async Task A_fork_equals_its_source_at_the_fork_point_and_then_goes_its_own_way()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "plan", "v1");
        await state.SetAsync(AgentA, "notes", "a-v1");
        await state.SetAsync(AgentB, "notes", "b-v1");
        await state.SetAsync(Guild, "plan", "v2");
        var forkPoint = (await state.Timelines.GetAsync(G))!.Head;
        await state.SetAsync(Guild, "plan", "v3, after the fork");
        await state.DeleteAsync(AgentB, "notes");
        await state.SetAsync(AgentA, "later", "source only");

        if (await ForksRefusedAsync(state, G, forkPoint, ForkId))
        {
            return;
        }

        var fork = await state.Timelines.ForkAsync(G, forkPoint, ForkId);
        Assert.Equal((ForkId, forkPoint, G, forkPoint, false), (fork.GuildId, fork.Head, fork.ForkedFrom, fork.ForkSequence, fork.IsPaused));

        // The fork's state is the source's as of the fork point, versions included, in every scope.
        Assert.Equal([("plan", (string?)"v2", 2L)], await LiveAsync(state, ForkGuild));
        Assert.Equal([("notes", (string?)"a-v1", 1L)], await LiveAsync(state, ForkAgentA));
        Assert.Equal([("notes", (string?)"b-v1", 1L)], await LiveAsync(state, AgentB.InGuild(ForkId)));
        Assert.Equal(("v2", 2L), Entry(await state.GetAsync<string>(ForkGuild, "plan")));
        Assert.False((await state.GetAsync<string>(ForkAgentA, "later")).Exists);
        Assert.Contains(StateOwner.Agent(ForkId, "a2"), await OwnersAsync(state, Scope.Agent));

        // Writes continue the inherited versions and are seen by neither side's other.
        Assert.Equal(3, await state.SetAsync(ForkGuild, "plan", "fork v3", expectedVersion: 2));
        await Assert.ThrowsAsync<StateConflictException>(async () => await state.SetAsync(ForkGuild, "plan", "stale", expectedVersion: 2));
        Assert.True(await state.DeleteAsync(ForkAgentA, "notes"));
        await state.SetAsync(Guild, "plan", "v4, source again");
        Assert.Equal(("fork v3", 3L), Entry(await state.GetAsync<string>(ForkGuild, "plan")));
        Assert.Empty(await LiveAsync(state, ForkAgentA));
        Assert.Equal(("v4, source again", 4L), Entry(await state.GetAsync<string>(Guild, "plan")));
        Assert.Equal(("a-v1", 1L), Entry(await state.GetAsync<string>(AgentA, "notes")));

        // Its history is the source's up to the fork point, then its own; never the source's later writes.
        var history = await EntriesAsync(state, ForkId);
        Assert.Equal(Enumerable.Range(1, (int)forkPoint + 2).Select(i => (long)i), history.Select(e => e.Sequence));
        Assert.All(history, e => Assert.Equal(ForkId, e.Owner.GuildId));
        Assert.DoesNotContain(history, e => e.Value.Length > 0 && System.Text.Encoding.UTF8.GetString(e.Value.Span).Contains("after the fork", StringComparison.Ordinal));
        Assert.Equal([("plan", (string?)"v2", 2L)], await AsOfAsync(state, ForkGuild, forkPoint));
        Assert.Equal([("plan", (string?)"fork v3", 3L)], await AsOfAsync(state, ForkGuild, forkPoint + 1));

        Assert.Equal([ForkId], await ForksAsync(state, G));
    }

    [Fact]
    public async Task A_fork_of_a_fork_reads_through_both()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "a", "from the root");
        await state.SetAsync(Guild, "b", "root b");
        if (await ForksRefusedAsync(state, G, 2, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 2, ForkId);
        await state.SetAsync(ForkGuild, "b", "fork b");
        await state.SetAsync(ForkGuild, "c", "fork c");
        await state.Timelines.ForkAsync(ForkId, 3, "grandchild");
        await state.SetAsync(ForkGuild, "c", "fork c, later");

        var grandchild = StateOwner.Guild("grandchild");
        Assert.Equal(
            [("a", (string?)"from the root", 1L), ("b", "fork b", 2L)],
            await LiveAsync(state, grandchild));
        await state.SetAsync(grandchild, "a", "grandchild a");
        Assert.Equal(("from the root", 1L), Entry(await state.GetAsync<string>(Guild, "a")));
        Assert.Equal(("from the root", 1L), Entry(await state.GetAsync<string>(ForkGuild, "a")));
        Assert.Equal([1L, 2, 3, 4], (await EntriesAsync(state, "grandchild")).Select(e => e.Sequence));
        Assert.Equal(["grandchild"], await ForksAsync(state, ForkId));
    }

    [Fact]
    public async Task Bad_forks_are_refused_naming_the_guild_and_sequence_and_create_nothing()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "k", "v");
        await state.SetAsync(StateOwner.Agent("taken", "x"), "k", "someone's");
        if (await ForksRefusedAsync(state, G, 1, ForkId))
        {
            return;
        }

        var beyond = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.ForkAsync(G, 2, ForkId));
        Assert.Equal((TimelineFailure.BeyondHead, 2L), (beyond.Failure, beyond.Sequence));
        var taken = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.ForkAsync(G, 1, "taken"));
        Assert.Equal((TimelineFailure.GuildExists, "taken"), (taken.Failure, taken.GuildId));
        var unknown = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.ForkAsync("nobody", 0, ForkId));
        Assert.Equal((TimelineFailure.NotStarted, "nobody"), (unknown.Failure, unknown.GuildId));
        await state.Timelines.ForkAsync(G, 1, ForkId);
        var twice = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.ForkAsync(G, 1, ForkId));
        Assert.Equal(TimelineFailure.GuildExists, twice.Failure);

        Assert.Equal([ForkId], await ForksAsync(state, G));
        Assert.Null(await state.Timelines.GetAsync("taken"));
        Assert.Equal(("someone's", 1L), Entry(await state.GetAsync<string>(StateOwner.Agent("taken", "x"), "k")));
    }

    [Fact]
    public async Task A_guild_with_live_forks_is_not_removed_until_they_are()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "k", "v");
        if (await ForksRefusedAsync(state, G, 1, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 1, ForkId);

        var refused = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.RemoveGuildAsync(G));
        Assert.Equal((TimelineFailure.HasForks, G), (refused.Failure, refused.GuildId));
        Assert.Equal(("v", 1L), Entry(await state.GetAsync<string>(ForkGuild, "k")));

        await state.RemoveGuildAsync(ForkId);
        Assert.Empty(await ForksAsync(state, G));
        Assert.False((await state.GetAsync<string>(ForkGuild, "k")).Exists);
        await state.RemoveGuildAsync(G);
        Assert.Null(await state.Timelines.GetAsync(G));
        Assert.False((await state.GetAsync<string>(Guild, "k")).Exists);
    }

    [Fact]
    public async Task Removing_an_agent_of_a_fork_hides_what_it_read_through_and_keeps_versions_ahead()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(AgentA, "k", "v1");
        await state.SetAsync(AgentA, "k", "v2");
        if (await ForksRefusedAsync(state, G, 2, ForkId))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 2, ForkId);

        await state.RemoveAgentAsync(ForkId, "a1");
        Assert.Empty(await LiveAsync(state, ForkAgentA));
        Assert.Equal(("v2", 2L), Entry(await state.GetAsync<string>(AgentA, "k")));
        Assert.True(await state.SetAsync(ForkAgentA, "k", "again") > 2);
    }

    private static (string? Value, long Version) Entry(StateEntry<string> entry) => (entry.Value, entry.Version);

    private static async Task<List<string>> ForksAsync(StateManager state, string guildId)
    {
        var forks = new List<string>();
        await foreach (var fork in state.Timelines.ListForksAsync(guildId))
        {
            forks.Add(fork.GuildId);
        }

        return forks;
    }

    private static async Task<List<StateOwner>> OwnersAsync(StateManager state, Scope scope)
    {
        var owners = new List<StateOwner>();
        await foreach (var owner in state.Driver.ListOwnersAsync(scope, CancellationToken.None))
        {
            owners.Add(owner);
        }

        return owners;
    }
}
