using TypedState.Storage;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    /// <summary>
    /// Ids holding what SQL, glob patterns and Redis key names read specially, ids that prefix one another, and
    /// characters whose UTF-16 order differs from their code point order (U+FFFD sorts before U+1F642).
    /// </summary>
    private static readonly string[] s_ownerIds =
    [
        "a", "a b", "a%", "a_", "a*", "a[", "a]", "a\\", "a'", "a\"", "a:", "a:b", "a{", "a}", "ab", "a\uFFFD", "a🙂", "%", "_", "ä",
    ];

    /// <summary>Every owner of <paramref name="scope"/> the driver lists, in the order listed.</summary>
    private static async Task<List<StateOwner>> ListOwnersAsync(IStateDriver driver, Scope scope)
    {
        var owners = new List<StateOwner>();
        await foreach (var owner in driver.ListOwnersAsync(scope, CancellationToken.None))
        {
            owners.Add(owner);
        }

        return owners;
    }

    /// <summary>The order owners are listed in: guild id, then agent id, both by code point.</summary>
    private static int CompareOwners(StateOwner a, StateOwner b)
    {
        var byGuild = StateKeyOrder.Comparer.Compare(a.GuildIdOrEmpty, b.GuildIdOrEmpty);
        return byGuild != 0 ? byGuild : StateKeyOrder.Comparer.Compare(a.AgentIdOrEmpty, b.AgentIdOrEmpty);
    }

    private static List<StateOwner> Sorted(IEnumerable<StateOwner> owners)
    {
        var sorted = owners.ToList();
        sorted.Sort(CompareOwners);
        return sorted;
    }

    [Fact]
    public async Task ListOwners_of_an_empty_store_yields_nothing_in_any_scope()
    {
        var state = await CreateManagerAsync();

        Assert.Empty(await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Empty(await ListOwnersAsync(state.Driver, Scope.Guild));
        Assert.Empty(await ListOwnersAsync(state.Driver, Scope.Global));
    }

    [Fact]
    public async Task ListOwners_yields_exactly_the_owners_of_each_scope_that_hold_live_records()
    {
        var state = await CreateManagerAsync();
        await SeedTwoGuildsAsync(state);

        // Owners that exist in one scope only: an agent of a guild without guild state, a guild without agents.
        await state.SetAsync(StateOwner.Agent("solo-agents", A1), "k", 1);
        await state.SetAsync(StateOwner.Guild("solo-guild"), "k", 1);

        Assert.Equal(
            [StateOwner.Agent(G1, A1), StateOwner.Agent(G1, A2), StateOwner.Agent(G2, A1), StateOwner.Agent(G2, A2), StateOwner.Agent("solo-agents", A1)],
            await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Equal([Guild1, Guild2, StateOwner.Guild("solo-guild")], await ListOwnersAsync(state.Driver, Scope.Guild));
        Assert.Equal([StateOwner.Global], await ListOwnersAsync(state.Driver, Scope.Global));
    }

    [Fact]
    public async Task ListOwners_orders_guilds_by_code_point_with_prefix_ids_first()
    {
        // Page size 2: several cursors fall between an id and the ids it prefixes.
        var state = await CreateManagerWithPageSizeAsync(2);
        string[] expected = ["a", "a b", "a%", "a_", "aa", "a\uFFFD", "a🙂", "a🙂b", "b", "ä", "日本"];
        foreach (var guild in expected.Reverse())
        {
            await state.SetAsync(StateOwner.Guild(guild), "k", guild);
        }

        Assert.Equal(expected.Select(StateOwner.Guild), await ListOwnersAsync(state.Driver, Scope.Guild));
    }

    [Fact]
    public async Task ListOwners_orders_agents_by_guild_then_agent_even_when_guild_ids_prefix_each_other()
    {
        var state = await CreateManagerWithPageSizeAsync(2);

        // Guild "a" sorts before "a b" whatever the agents: an encoding that joined guild and agent with a
        // separator above ' ' would put ("a b", "a") first.
        (string Guild, string Agent)[] expected =
        [
            ("a", "x"), ("a", "x y"), ("a", "x\""), ("a", "x'"), ("a", "x*"), ("a", "x["), ("a", "x\\"), ("a", "x\uFFFD"), ("a", "x🙂"), ("a", "z"),
            ("a b", "a"), ("a b", "b"),
            ("a🙂", "a"),
            ("b", "a"),
        ];
        for (var i = expected.Length - 1; i >= 0; i--)
        {
            await state.SetAsync(StateOwner.Agent(expected[i].Guild, expected[i].Agent), "k", i);
        }

        Assert.Equal(expected.Select(o => StateOwner.Agent(o.Guild, o.Agent)), await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Empty(await ListOwnersAsync(state.Driver, Scope.Guild));
    }

    [Fact]
    public async Task ListOwners_lists_ids_with_quotes_wildcards_separators_and_astral_characters_exactly()
    {
        var state = await CreateManagerWithPageSizeAsync(3);
        var agents = new List<StateOwner>();
        foreach (var guild in s_ownerIds)
        {
            await state.SetAsync(StateOwner.Guild(guild), "k", guild);
            foreach (var agent in s_ownerIds.Where((_, i) => i % 4 == guild.Length % 4))
            {
                agents.Add(StateOwner.Agent(guild, agent));
            }
        }

        // Owners whose naive "guild:agent" names would collide.
        agents.Add(StateOwner.Agent("a:b", "c"));
        agents.Add(StateOwner.Agent("a", "b:c"));
        foreach (var agent in agents)
        {
            await state.SetAsync(agent, "k", agent.AgentIdOrEmpty);
        }

        Assert.Equal(Sorted(s_ownerIds.Select(StateOwner.Guild)), await ListOwnersAsync(state.Driver, Scope.Guild));
        Assert.Equal(Sorted(agents), await ListOwnersAsync(state.Driver, Scope.Agent));
    }

    [Fact]
    public async Task ListOwners_skips_owners_whose_records_were_all_deleted()
    {
        var state = await CreateManagerAsync();
        foreach (var owner in new[] { Agent1, Agent2, Guild1, Guild2, StateOwner.Global })
        {
            await state.SetAsync(owner, "k1", 1);
            await state.SetAsync(owner, "k2", 2);
        }

        // Agent1, Guild1 and global keep only tombstones; Agent2 keeps one live record.
        foreach (var owner in new[] { Agent1, Guild1, StateOwner.Global })
        {
            Assert.True(await state.DeleteAsync(owner, "k1"));
            Assert.True(await state.DeleteAsync(owner, "k2"));
        }

        Assert.True(await state.DeleteAsync(Agent2, "k1"));

        // One batch that deletes Guild2's last keys and sets a new one: the guild still holds a live record.
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.DeleteAsync(Guild2, "k1");
            await tx.DeleteAsync(Guild2, "k2");
            await tx.SetAsync(Guild2, "k3", 3);
            await tx.CommitAsync();
        }

        Assert.Equal([Agent2], await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Equal([Guild2], await ListOwnersAsync(state.Driver, Scope.Guild));
        Assert.Empty(await ListOwnersAsync(state.Driver, Scope.Global));

        // Setting a key again brings an owner back.
        await state.SetAsync(Agent1, "k1", 10);
        await state.SetAsync(StateOwner.Global, "k2", 10);
        Assert.Equal([Agent1, Agent2], await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Equal([StateOwner.Global], await ListOwnersAsync(state.Driver, Scope.Global));
    }

    [Fact]
    public async Task ListOwners_skips_owners_whose_last_records_were_deleted_in_one_batch()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k1", 1);
        await state.SetAsync(Agent1, "k2", 2);
        await state.SetAsync(Agent2, "k1", 1);

        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.DeleteAsync(Agent1, "k1");
            await tx.DeleteAsync(Agent1, "k2");
            await tx.SetAsync(Agent2, "k2", 2);
            await tx.CommitAsync();
        }

        Assert.Equal([Agent2], await ListOwnersAsync(state.Driver, Scope.Agent));
    }

    [Fact]
    public async Task ListOwners_does_not_yield_a_removed_agent()
    {
        var state = await CreateManagerAsync();
        await SeedTwoGuildsAsync(state);

        await state.RemoveAgentAsync(G1, A1);

        Assert.Equal([Agent2, StateOwner.Agent(G2, A1), StateOwner.Agent(G2, A2)], await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Equal([Guild1, Guild2], await ListOwnersAsync(state.Driver, Scope.Guild));
        Assert.Equal([StateOwner.Global], await ListOwnersAsync(state.Driver, Scope.Global));
    }

    [Fact]
    public async Task ListOwners_does_not_yield_a_removed_guild_or_any_of_its_agents()
    {
        var state = await CreateManagerAsync();
        await SeedTwoGuildsAsync(state);

        // Owners of guilds whose ids extend G1's, and an agent of G1 that holds only a tombstone.
        await state.SetAsync(StateOwner.Agent(G1 + " b", A1), "k", 1);
        await state.SetAsync(StateOwner.Agent(G1 + "b", A1), "k", 1);
        await state.SetAsync(StateOwner.Guild(G1 + " b"), "k", 1);
        await state.SetAsync(StateOwner.Agent(G1, "deleted-only"), "k", 1);
        await state.DeleteAsync(StateOwner.Agent(G1, "deleted-only"), "k");

        await state.RemoveGuildAsync(G1);

        Assert.Equal(
            [StateOwner.Agent(G1 + " b", A1), StateOwner.Agent(G1 + "b", A1), StateOwner.Agent(G2, A1), StateOwner.Agent(G2, A2)],
            await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Equal([StateOwner.Guild(G1 + " b"), Guild2], await ListOwnersAsync(state.Driver, Scope.Guild));
        Assert.Equal([StateOwner.Global], await ListOwnersAsync(state.Driver, Scope.Global));

        // The guild and its agents come back once they store state again.
        await state.SetAsync(Agent2, "k", 2);
        await state.SetAsync(Guild1, "k", 2);
        Assert.Equal(
            [Agent2, StateOwner.Agent(G1 + " b", A1), StateOwner.Agent(G1 + "b", A1), StateOwner.Agent(G2, A1), StateOwner.Agent(G2, A2)],
            await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Equal([Guild1, StateOwner.Guild(G1 + " b"), Guild2], await ListOwnersAsync(state.Driver, Scope.Guild));
    }

    [Fact]
    public async Task ListOwners_of_global_scope_yields_the_global_owner_once_or_not_at_all()
    {
        var state = await CreateManagerWithPageSizeAsync(1);
        await state.SetAsync(Agent1, "k", 1);
        await state.SetAsync(Guild1, "k", 1);

        Assert.Empty(await ListOwnersAsync(state.Driver, Scope.Global));

        foreach (var key in new[] { "a", "b", "c" })
        {
            await state.SetAsync(StateOwner.Global, key, key);
        }

        Assert.Equal([StateOwner.Global], await ListOwnersAsync(state.Driver, Scope.Global));

        Assert.True(await state.DeleteAsync(StateOwner.Global, "a"));
        Assert.True(await state.DeleteAsync(StateOwner.Global, "b"));
        Assert.Equal([StateOwner.Global], await ListOwnersAsync(state.Driver, Scope.Global));

        Assert.True(await state.DeleteAsync(StateOwner.Global, "c"));
        Assert.Empty(await ListOwnersAsync(state.Driver, Scope.Global));
        Assert.Equal([Agent1], await ListOwnersAsync(state.Driver, Scope.Agent));
    }

    [Fact]
    public async Task ListOwners_pages_through_many_owners_while_the_caller_writes()
    {
        // 24 owners over pages of 3, with ids that prefix each other on both sides of page boundaries.
        var state = await CreateManagerWithPageSizeAsync(3);
        string[] guilds = ["p", "p q", "p%", "p🙂"];
        string[] agents = ["a", "a b", "a_", "b", "b🙂", "c"];
        var initial = new List<StateOwner>();
        foreach (var guild in guilds)
        {
            foreach (var agent in agents)
            {
                initial.Add(StateOwner.Agent(guild, agent));
            }
        }

        foreach (var owner in initial)
        {
            await state.SetAsync(owner, "k", owner.ToString());
        }

        initial = Sorted(initial);
        var emptied = initial[0];
        var removed = initial[^1];
        var createdBefore = StateOwner.Agent("a", "new");
        var createdAfter = StateOwner.Agent("q", "new");
        var listed = new List<StateOwner>();
        await foreach (var owner in state.Driver.ListOwnersAsync(Scope.Agent, CancellationToken.None))
        {
            listed.Add(owner);

            // Write while enumerating: the owner just listed, an owner listed earlier, owners before and after
            // the cursor, and an owner not listed yet.
            await state.SetAsync(owner, "seen", listed.Count);
            switch (listed.Count)
            {
                case 2:
                    Assert.True(await state.DeleteAsync(emptied, "k"));
                    Assert.True(await state.DeleteAsync(emptied, "seen"));
                    break;
                case 3:
                    await state.SetAsync(createdBefore, "k", 1);
                    await state.SetAsync(createdAfter, "k", 1);
                    break;
                case 7:
                    await state.RemoveAgentAsync(removed.GuildIdOrEmpty, removed.AgentIdOrEmpty);
                    break;
            }
        }

        // Strictly ascending, so no owner came twice; every owner that held records throughout came once; an owner
        // created, emptied or removed during the enumeration may or may not have come (the emptied one came first,
        // before it was emptied).
        for (var i = 1; i < listed.Count; i++)
        {
            Assert.True(CompareOwners(listed[i - 1], listed[i]) < 0, $"{listed[i - 1]} was listed before {listed[i]}");
        }

        var steady = initial.Where(o => o != removed && o != emptied).ToList();
        Assert.Equal(emptied, listed[0]);
        Assert.Equal(steady, listed.Where(steady.Contains));
        Assert.All(listed, owner => Assert.True(initial.Contains(owner) || owner == createdAfter || owner == createdBefore, $"{owner} was listed"));

        // Afterwards the listing shows the store as written (a removed owner that was still listed got "seen" again).
        var expected = Sorted(steady.Append(createdBefore).Append(createdAfter).Concat(listed.Contains(removed) ? [removed] : []));
        Assert.Equal(expected, await ListOwnersAsync(state.Driver, Scope.Agent));
        Assert.Empty(await ListOwnersAsync(state.Driver, Scope.Guild));
    }

    [Fact]
    public async Task ListOwners_honours_cancellation_before_and_during_the_enumeration()
    {
        var state = await CreateManagerWithPageSizeAsync(2);
        foreach (var guild in new[] { "g1", "g2", "g3", "g4", "g5" })
        {
            await state.SetAsync(StateOwner.Guild(guild), "k", guild);
            await state.SetAsync(StateOwner.Agent(guild, A1), "k", guild);
        }

        await state.SetAsync(StateOwner.Global, "k", 1);

        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            foreach (var scope in new[] { Scope.Agent, Scope.Guild, Scope.Global })
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DrainAsync(state.Driver.ListOwnersAsync(scope, cancelled.Token)));
            }
        }

        foreach (var scope in new[] { Scope.Agent, Scope.Guild })
        {
            using var cancellation = new CancellationTokenSource();
            var listed = new List<StateOwner>();
            var listing = state.Driver.ListOwnersAsync(scope, cancellation.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var owner in listing)
                {
                    listed.Add(owner);
                    await cancellation.CancelAsync();
                }
            });

            Assert.Single(listed);
        }

        // A token passed through WithCancellation is honoured too.
        using var viaWith = new CancellationTokenSource();
        var withListed = new List<StateOwner>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var owner in state.Driver.ListOwnersAsync(Scope.Guild, CancellationToken.None).WithCancellation(viaWith.Token))
            {
                withListed.Add(owner);
                await viaWith.CancelAsync();
            }
        });

        Assert.Equal([StateOwner.Guild("g1")], withListed);
    }
}
