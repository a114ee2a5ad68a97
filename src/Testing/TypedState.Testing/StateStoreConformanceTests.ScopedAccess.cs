using TypedState.Guilds;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_scoped_accessor_reads_and_writes_only_its_own_agent_state()
    {
        var state = await CreateManagerAsync();
        var a = state.ForAgent(G1, A1);
        var b = state.ForAgent(G1, A2);

        await a.SetAsync(Scope.Agent, "visits", 5);
        await a.SetAsync(Scope.Agent, "notes", "a's notes");

        Assert.False((await b.GetAsync<int>(Scope.Agent, "visits")).Exists);
        Assert.Empty(await ListKeysAsync(b, Scope.Agent, string.Empty));
        Assert.False(await b.DeleteAsync(Scope.Agent, "visits"));
        await b.SetAsync(Scope.Agent, "visits", 1);

        Assert.Equal(5, (await a.GetAsync<int>(Scope.Agent, "visits")).Value);
        Assert.Equal(1, (await b.GetAsync<int>(Scope.Agent, "visits")).Value);
        Assert.Equal(["notes", "visits"], await ListKeysAsync(a, Scope.Agent, string.Empty));
        await AssertRecordAsync(state, Agent1, "visits", 5, 1);
        await AssertRecordAsync(state, Agent2, "visits", 1, 1);
    }

    [Fact]
    public async Task Scoped_accessors_of_one_guild_share_guild_and_global_state()
    {
        var state = await CreateManagerAsync();
        var a = state.ForAgent(G1, A1);
        var b = state.ForAgent(G1, A2);
        var other = state.ForAgent(G2, A1);

        await a.SetAsync(Scope.Guild, "plan", "from a");
        await b.SetAsync(Scope.Global, "motd", "from b");

        Assert.Equal("from a", (await b.GetAsync<string>(Scope.Guild, "plan")).Value);
        Assert.Equal("from b", (await a.GetAsync<string>(Scope.Global, "motd")).Value);
        Assert.False((await other.GetAsync<string>(Scope.Guild, "plan")).Exists);
        Assert.Equal("from b", (await other.GetAsync<string>(Scope.Global, "motd")).Value);
        await AssertRecordAsync(state, Guild1, "plan", "from a", 1);
        await AssertRecordAsync(state, StateOwner.Global, "motd", "from b", 1);

        var newVersion = await b.SetAsync(Scope.Guild, "plan", "from b", expectedVersion: 1);
        Assert.Equal(2, newVersion);
        await Assert.ThrowsAsync<StateConflictException>(() => a.SetAsync(Scope.Guild, "plan", "stale", expectedVersion: 1).AsTask());
        Assert.Equal("from b", (await a.GetAsync<string>(Scope.Guild, "plan")).Value);
    }

    [Fact]
    public async Task A_scoped_accessor_resolves_each_scope_to_its_own_agent_and_guild()
    {
        var state = await CreateManagerAsync();
        var a = state.ForAgent(G1, A1);

        Assert.Equal(StateOwner.Agent(G1, A1), a.OwnerOf(Scope.Agent));
        Assert.Equal(StateOwner.Guild(G1), a.OwnerOf(Scope.Guild));
        Assert.Equal(StateOwner.Global, a.OwnerOf(Scope.Global));
        Assert.Equal(G1, a.GuildId);
        Assert.Equal(A1, a.AgentId);
        var undefinedScope = (Scope)0;
        Assert.Throws<ArgumentOutOfRangeException>(() => a.OwnerOf(undefinedScope));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.OwnerOf((Scope)99));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => a.GetAsync<int>((Scope)99, "k").AsTask());
    }

    [Fact]
    public async Task Agents_in_a_guild_see_only_their_own_agent_state_and_share_guild_and_global_state()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var agentA = new VisitCounterAgent();
        var agentB = new VisitCounterAgent();
        guild.AddAgent(A1, agentA);
        guild.AddAgent(A2, agentB);

        await guild.SendAsync(A1, new Visit("u1"));
        await guild.SendAsync(A1, new Visit("u2"));
        await guild.SendAsync(A1, new Visit("u3"));
        await guild.SendAsync(A2, new Visit("u4"));
        Assert.Equal(2, await guild.PublishAsync(new Report()));

        var seenByA = Assert.Single(agentA.Observations);
        var seenByB = Assert.Single(agentB.Observations);
        Assert.Equal(3, seenByA.Visits);
        Assert.Equal(1, seenByB.Visits);
        Assert.Equal(4, seenByA.GuildVisits);
        Assert.Equal(4, seenByB.GuildVisits);
        Assert.Equal(4, seenByA.GlobalVisits);
        Assert.Equal(4, seenByB.GlobalVisits);
        Assert.Equal(["last-visitor", "visits"], seenByA.AgentKeys);
        Assert.Equal(["last-visitor", "visits"], seenByB.AgentKeys);

        // The only agent owner A's accessor can reach is A's own.
        Assert.Equal(StateOwner.Agent(G1, A1), seenByA.AgentOwner);
        Assert.Equal(StateOwner.Agent(G1, A2), seenByB.AgentOwner);
        Assert.Equal(StateOwner.Guild(G1), seenByA.GuildOwner);

        await AssertRecordAsync(state, Agent1, "last-visitor", "u3", 3);
        await AssertRecordAsync(state, Agent2, "last-visitor", "u4", 1);
    }

    [Fact]
    public async Task Agents_of_different_guilds_do_not_share_guild_state_but_share_global_state()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var first = host.StartGuild(G1);
        var second = host.StartGuild(G2);
        var inFirst = new VisitCounterAgent();
        var inSecond = new VisitCounterAgent();
        first.AddAgent(A1, inFirst);
        second.AddAgent(A1, inSecond); // the same agent id in another guild is another agent

        await first.SendAsync(A1, new Visit("x"));
        await first.SendAsync(A1, new Visit("x"));
        await second.SendAsync(A1, new Visit("y"));
        await first.SendAsync(A1, new Report());
        await second.SendAsync(A1, new Report());

        var one = Assert.Single(inFirst.Observations);
        var two = Assert.Single(inSecond.Observations);
        Assert.Equal((2, 2, 3), (one.Visits, one.GuildVisits, one.GlobalVisits));
        Assert.Equal((1, 1, 3), (two.Visits, two.GuildVisits, two.GlobalVisits));
        Assert.Equal(StateOwner.Agent(G2, A1), two.AgentOwner);
    }

    [Fact]
    public async Task A_scoped_transaction_commits_all_three_scopes_together()
    {
        var state = await CreateManagerAsync();
        var a = state.ForAgent(G1, A1);
        await using (var refused = await a.BeginTransactionAsync())
        {
            await refused.SetAsync(Scope.Agent, "k", "agent");
            await refused.SetAsync(Scope.Global, "k", "global");
            if (TransactionsStayWithinOneRoot)
            {
                // An agent's scoped transaction spans two roots once it writes global state.
                var error = await Assert.ThrowsAnyAsync<StateException>(() => refused.CommitAsync().AsTask());
                Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
                await AssertAbsentAsync(state, Agent1, "k");
                await AssertAbsentAsync(state, StateOwner.Global, "k");
            }
        }

        await using (var tx = await a.BeginTransactionAsync())
        {
            Assert.True(tx.IsActive);
            Assert.Equal(Agent1, tx.OwnerOf(Scope.Agent));
            await tx.SetAsync(Scope.Agent, "k", "agent");
            await tx.SetAsync(Scope.Guild, "k", "guild");
            if (!TransactionsStayWithinOneRoot)
            {
                await tx.SetAsync(Scope.Global, "k", "global");
            }

            Assert.Equal("agent", (await tx.GetAsync<string>(Scope.Agent, "k")).Value);
            Assert.Equal(["k"], await ListKeysAsync(tx, Scope.Guild, string.Empty));
            await AssertAbsentAsync(state, Agent1, "k");
            await tx.CommitAsync();
            Assert.False(tx.IsActive);
        }

        await AssertRecordAsync(state, Agent1, "k", "agent", 1);
        await AssertRecordAsync(state, Guild1, "k", "guild", 1);
        if (!TransactionsStayWithinOneRoot)
        {
            await AssertRecordAsync(state, StateOwner.Global, "k", "global", 1);
        }
    }

    [Fact]
    public async Task A_scoped_transaction_with_a_stale_write_applies_none_of_its_scopes()
    {
        var state = await CreateManagerAsync();

        // Where a transaction stays within one root, the visit's third write goes to its guild (key tx-visitor)
        // instead of global state, and a visit writing global state is refused as a whole.
        var withinGuild = TransactionsStayWithinOneRoot;
        var (owner, key) = withinGuild ? (Guild1, "tx-visitor") : (StateOwner.Global, "tx-visits");
        await state.SetAsync(owner, key, "someone");
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var agent = new VisitCounterAgent();
        guild.AddAgent(A1, agent);
        if (withinGuild)
        {
            await guild.SendAsync(A1, new TransactionalVisit(GlobalExpectedVersion: null));
            var refused = Assert.Single(agent.Failures);
            Assert.IsNotType<StateConflictException>(refused);
            Assert.Equal(StateWriteOutcome.NotApplied, Assert.IsAssignableFrom<StateException>(refused).Outcome);
            await AssertAbsentAsync(state, Agent1, "tx-visits");
            await AssertAbsentAsync(state, StateOwner.Global, "tx-visits");
            agent.Failures.Clear();
        }

        await guild.SendAsync(A1, new TransactionalVisit(GlobalExpectedVersion: 0, withinGuild)); // stale: the record exists

        var failure = Assert.IsType<StateConflictException>(Assert.Single(agent.Failures));
        Assert.Equal(owner, failure.Owner);
        await AssertAbsentAsync(state, Agent1, "tx-visits");
        await AssertAbsentAsync(state, Guild1, "tx-visits");
        await AssertRecordAsync(state, owner, key, "someone", 1);

        await guild.SendAsync(A1, new TransactionalVisit(GlobalExpectedVersion: 1, withinGuild));

        Assert.Single(agent.Failures);
        await AssertRecordAsync(state, Agent1, "tx-visits", 1, 1);
        await AssertRecordAsync(state, Guild1, "tx-visits", 1, 1);
        await AssertRecordAsync(state, owner, key, A1, 2);
    }

    [Fact]
    public async Task A_scoped_transaction_rolls_back_and_conflicts_like_a_plain_one()
    {
        var state = await CreateManagerAsync();
        var a = state.ForAgent(G1, A1);
        await a.SetAsync(Scope.Guild, "shared", 1);

        var rolledBack = await a.BeginTransactionAsync();
        await rolledBack.SetAsync(Scope.Agent, "k", 1);
        await rolledBack.RollbackAsync();
        await rolledBack.DisposeAsync();
        await AssertAbsentAsync(state, Agent1, "k");

        await using var tx = await a.BeginTransactionAsync();
        var shared = await tx.GetAsync<int>(Scope.Guild, "shared");
        await tx.SetAsync(Scope.Agent, "copy", shared.Value);
        await state.ForAgent(G1, A2).SetAsync(Scope.Guild, "shared", 2);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());
        Assert.Equal(Guild1, ex.Owner);
        await AssertAbsentAsync(state, Agent1, "copy");
    }

    [Fact]
    public async Task Scoped_UpdateAsync_and_GetValueOrDefault_work_per_scope()
    {
        var state = await CreateManagerAsync();
        var a = state.ForAgent(G1, A1);

        Assert.Equal(7, await a.GetValueOrDefaultAsync(Scope.Agent, "n", 7));
        var first = await a.UpdateAsync<int>(Scope.Agent, "n", v => v + 1);
        var second = await a.UpdateAsync(Scope.Guild, "n", v => v + 2, TestJsonContext.Default.Int32);
        await a.SetAsync(Scope.Global, "p", new Counter(3), TestJsonContext.Default.Counter);

        Assert.Equal((1, 1L), (first.Value, first.Version));
        Assert.Equal((2, 1L), (second.Value, second.Version));
        Assert.Equal(1, await a.GetValueOrDefaultAsync(Scope.Agent, "n", 7));
        Assert.Equal(new Counter(3), (await a.GetAsync(Scope.Global, "p", TestJsonContext.Default.Counter)).Value);
    }
}
