namespace TypedState.Testing;

// Removing an owner keeps a version floor for its guild, so a version read before the removal never matches a
// record created after it; guilds never removed still start at version 1.
public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_key_recreated_after_its_agent_was_removed_continues_above_every_removed_version()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", "one");
        var stale = await state.SetAsync(Agent1, "k", "two");
        await state.RemoveAgentAsync(G1, A1);

        var recreated = await state.SetAsync(Agent1, "k", "new", expectedVersion: 0);

        Assert.True(recreated > stale, $"version {recreated} after the removal should be above {stale}");
        var error = await Assert.ThrowsAsync<StateConflictException>(async () => await state.SetAsync(Agent1, "k", "stale", stale));
        Assert.Equal(recreated, error.ActualVersion);
        await AssertRecordAsync(state, Agent1, "k", "new", recreated);
    }

    [Fact]
    public async Task Records_created_after_a_guild_was_removed_never_match_a_version_read_before()
    {
        var state = await CreateManagerAsync();
        var guildStale = await state.SetAsync(Guild1, "shared", 1);
        var agentStale = await state.SetAsync(Agent2, "memory", 1);
        await state.RemoveGuildAsync(G1);

        var guildNew = await state.SetAsync(Guild1, "shared", 2);
        var agentNew = await state.SetAsync(Agent2, "memory", 2);

        Assert.True(guildNew > guildStale && guildNew > agentStale, $"guild record version {guildNew}");
        Assert.True(agentNew > guildStale && agentNew > agentStale, $"agent record version {agentNew}");
        await Assert.ThrowsAsync<StateConflictException>(async () => await state.DeleteAsync(Guild1, "shared", guildStale));
        await Assert.ThrowsAsync<StateConflictException>(async () => await state.DeleteAsync(Agent2, "memory", agentStale));
    }

    [Fact]
    public async Task A_removal_leaves_versions_of_other_guilds_starting_at_one()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Guild1, "k", 1);
        await state.SetAsync(Guild1, "k", 2);
        await state.RemoveGuildAsync(G1);

        Assert.Equal(1, await state.SetAsync(Guild2, "k", 1));
        Assert.Equal(1, await state.SetAsync(StateOwner.Agent(G2, A1), "k", 1));
        Assert.Equal(1, await state.SetAsync(StateOwner.Global, "k", 1));
    }
}
