using TypedState.Guilds;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    /// <summary>Writes two keys for every owner of two guilds (two agents each), their guilds and global.</summary>
    private static async Task SeedTwoGuildsAsync(IStateManager state)
    {
        foreach (var guild in new[] { G1, G2 })
        {
            foreach (var agent in new[] { A1, A2 })
            {
                await state.SetAsync(StateOwner.Agent(guild, agent), "k1", $"{guild}/{agent}");
                await state.SetAsync(StateOwner.Agent(guild, agent), "k2", $"{guild}/{agent}");
            }

            await state.SetAsync(StateOwner.Guild(guild), "k1", guild);
            await state.SetAsync(StateOwner.Guild(guild), "k2", guild);
        }

        await state.SetAsync(StateOwner.Global, "k1", "global");
        await state.SetAsync(StateOwner.Global, "k2", "global");
    }

    private static async Task AssertSeededAsync(IStateManager state, StateOwner owner, string value)
    {
        Assert.Equal(["k1", "k2"], await ListKeysAsync(state, owner, string.Empty));
        await AssertRecordAsync(state, owner, "k1", value, 1);
    }

    private static async Task AssertEmptyAsync(IStateManager state, StateOwner owner)
    {
        Assert.Empty(await ListKeysAsync(state, owner, string.Empty));
        await AssertAbsentAsync(state, owner, "k1");
        await AssertAbsentAsync(state, owner, "k2");
    }

    [Fact]
    public async Task RemoveAgent_deletes_that_agents_state_only()
    {
        var state = await CreateManagerAsync();
        await SeedTwoGuildsAsync(state);

        await state.RemoveAgentAsync(G1, A1);

        await AssertEmptyAsync(state, StateOwner.Agent(G1, A1));
        await AssertSeededAsync(state, StateOwner.Agent(G1, A2), $"{G1}/{A2}");
        await AssertSeededAsync(state, StateOwner.Agent(G2, A1), $"{G2}/{A1}");
        await AssertSeededAsync(state, StateOwner.Agent(G2, A2), $"{G2}/{A2}");
        await AssertSeededAsync(state, Guild1, G1);
        await AssertSeededAsync(state, Guild2, G2);
        await AssertSeededAsync(state, StateOwner.Global, "global");
    }

    [Fact]
    public async Task RemoveGuild_deletes_the_guild_state_and_all_its_agents_state_only()
    {
        var state = await CreateManagerAsync();
        await SeedTwoGuildsAsync(state);

        await state.RemoveGuildAsync(G1);

        await AssertEmptyAsync(state, Guild1);
        await AssertEmptyAsync(state, StateOwner.Agent(G1, A1));
        await AssertEmptyAsync(state, StateOwner.Agent(G1, A2));
        await AssertSeededAsync(state, Guild2, G2);
        await AssertSeededAsync(state, StateOwner.Agent(G2, A1), $"{G2}/{A1}");
        await AssertSeededAsync(state, StateOwner.Agent(G2, A2), $"{G2}/{A2}");
        await AssertSeededAsync(state, StateOwner.Global, "global");
    }

    [Fact]
    public async Task Removing_an_owner_with_no_state_is_harmless()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(StateOwner.Global, "k", 1);

        await state.RemoveAgentAsync("nobody", "nothing");
        await state.RemoveGuildAsync("nowhere");

        await AssertRecordAsync(state, StateOwner.Global, "k", 1, 1);
    }

    [Fact]
    public async Task Removing_owners_whose_ids_look_like_patterns_removes_only_exact_matches()
    {
        var state = await CreateManagerAsync();
        string[] guilds = ["g%", "g_", "gx", "g", "g%x", "g\\", "g/a", "g*", "G_"];
        string[] agents = ["a%", "a_", "ab", "a", "a*", "a/b"];
        foreach (var guild in guilds)
        {
            await state.SetAsync(StateOwner.Guild(guild), "k", guild);
            foreach (var agent in agents)
            {
                await state.SetAsync(StateOwner.Agent(guild, agent), "k", agent);
            }
        }

        await state.RemoveAgentAsync("g_", "a_");
        await state.RemoveAgentAsync("g%", "a%");
        await state.RemoveGuildAsync("g_");
        await state.RemoveGuildAsync("g*");

        foreach (var guild in guilds)
        {
            var guildRemoved = guild is "g_" or "g*";
            Assert.Equal(!guildRemoved, (await state.GetAsync<string>(StateOwner.Guild(guild), "k")).Exists);
            foreach (var agent in agents)
            {
                var removed = guildRemoved || (guild, agent) is ("g%", "a%");
                var entry = await state.GetAsync<string>(StateOwner.Agent(guild, agent), "k");
                Assert.True(entry.Exists == !removed, $"agent {guild}/{agent} should {(removed ? "be removed" : "remain")}");
            }
        }
    }

    [Fact]
    public async Task Removing_a_guild_whose_id_prefixes_another_keeps_the_other()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(StateOwner.Guild("team"), "k", 1);
        await state.SetAsync(StateOwner.Agent("team", "a"), "k", 1);
        await state.SetAsync(StateOwner.Guild("team-2"), "k", 2);
        await state.SetAsync(StateOwner.Agent("team-2", "a"), "k", 2);
        await state.SetAsync(StateOwner.Agent("teamb", "a"), "k", 3);

        await state.RemoveGuildAsync("team");

        await AssertAbsentAsync(state, StateOwner.Guild("team"), "k");
        await AssertAbsentAsync(state, StateOwner.Agent("team", "a"), "k");
        await AssertRecordAsync(state, StateOwner.Guild("team-2"), "k", 2, 1);
        await AssertRecordAsync(state, StateOwner.Agent("team-2", "a"), "k", 2, 1);
        await AssertRecordAsync(state, StateOwner.Agent("teamb", "a"), "k", 3, 1);
    }

    [Fact]
    public async Task Global_state_is_never_removed_by_agent_or_guild_removal()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(StateOwner.Global, "settings", "keep me");
        await state.SetAsync(StateOwner.Guild("global"), "settings", "guild named global");

        await state.RemoveAgentAsync("global", "global");
        await state.RemoveGuildAsync("global");
        await state.RemoveGuildAsync(G1);

        await AssertRecordAsync(state, StateOwner.Global, "settings", "keep me", 1);
        await AssertAbsentAsync(state, StateOwner.Guild("global"), "settings");
    }

    [Fact]
    public async Task An_agent_can_store_state_again_after_it_was_removed()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", "before");
        await state.SetAsync(Agent1, "gone", "before");
        await state.RemoveAgentAsync(G1, A1);

        var version = await state.SetAsync(Agent1, "k", "after", expectedVersion: 0);

        Assert.True(version >= 1);
        await AssertRecordAsync(state, Agent1, "k", "after", version);
        Assert.Equal(["k"], await ListKeysAsync(state, Agent1, string.Empty));
    }

    [Fact]
    public async Task Removing_a_guild_with_many_agents_removes_them_all()
    {
        var state = await CreateManagerAsync();
        await AssertSpanningRootsRefusedAsync(state, (StateOwner.Agent(G1, "agent-0"), "k"), (StateOwner.Agent(G2, "agent-0"), "k"));

        // One transaction per guild where a transaction stays within one root; one for both elsewhere.
        string[][] batches = TransactionsStayWithinOneRoot ? [[G1], [G2]] : [[G1, G2]];
        foreach (var guilds in batches)
        {
            await using var tx = await state.BeginTransactionAsync();
            for (var i = 0; i < 40; i++)
            {
                foreach (var guild in guilds)
                {
                    await tx.SetAsync(StateOwner.Agent(guild, $"agent-{i}"), "k", i);
                }
            }

            await tx.CommitAsync();
        }

        await state.RemoveGuildAsync(G1);

        for (var i = 0; i < 40; i++)
        {
            await AssertAbsentAsync(state, StateOwner.Agent(G1, $"agent-{i}"), "k");
            await AssertRecordAsync(state, StateOwner.Agent(G2, $"agent-{i}"), "k", i, 1);
        }
    }

    // ---- The guild host ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Guild_RemoveAgent_deletes_the_agents_state_and_keeps_the_rest()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        guild.AddAgent(A1, new VisitCounterAgent());
        guild.AddAgent(A2, new VisitCounterAgent());
        await guild.SendAsync(A1, new Visit("x"));
        await guild.SendAsync(A2, new Visit("y"));

        Assert.True(await guild.RemoveAgentAsync(A1));

        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));
        await AssertRecordAsync(state, Agent2, "visits", 1, 1);
        await AssertRecordAsync(state, Guild1, "visits", 2, 2);
        await AssertRecordAsync(state, StateOwner.Global, "visits", 2, 2);
        Assert.Equal([A2], guild.AgentIds);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => guild.SendAsync(A1, new Visit("z")).AsTask());
    }

    [Fact]
    public async Task Guild_Remove_deletes_the_guild_and_its_agents_state_but_not_other_guilds_or_global()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var first = host.StartGuild(G1);
        var second = host.StartGuild(G2);
        foreach (var guild in new[] { first, second })
        {
            guild.AddAgent(A1, new VisitCounterAgent());
            guild.AddAgent(A2, new VisitCounterAgent());
            await guild.PublishAsync(new Visit("everyone"));
        }

        await first.RemoveAsync();

        Assert.False(host.TryGetGuild(G1, out _));
        Assert.Empty(await ListKeysAsync(state, Guild1, string.Empty));
        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));
        Assert.Empty(await ListKeysAsync(state, Agent2, string.Empty));
        await AssertRecordAsync(state, Guild2, "visits", 2, 2);
        await AssertRecordAsync(state, StateOwner.Agent(G2, A1), "visits", 1, 1);
        await AssertRecordAsync(state, StateOwner.Agent(G2, A2), "visits", 1, 1);
        await AssertRecordAsync(state, StateOwner.Global, "visits", 4, 4);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.SendAsync(A1, new Visit("late")).AsTask());
    }
}
