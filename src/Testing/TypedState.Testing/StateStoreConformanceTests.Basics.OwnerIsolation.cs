namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task The_same_key_under_different_owners_holds_independent_records()
    {
        var state = await CreateManagerAsync();
        StateOwner[] owners =
        [
            Agent1,
            Agent2,
            StateOwner.Agent(G2, A1),
            Guild1,
            Guild2,
            StateOwner.Global,
        ];

        for (var i = 0; i < owners.Length; i++)
        {
            // Each owner gets i + 1 writes, so versions differ too.
            for (var w = 0; w <= i; w++)
            {
                await state.SetAsync(owners[i], "key", $"value of {owners[i]} #{w}");
            }
        }

        for (var i = 0; i < owners.Length; i++)
        {
            await AssertRecordAsync(state, owners[i], "key", $"value of {owners[i]} #{i}", i + 1);
            Assert.Equal(["key"], await ListKeysAsync(state, owners[i], string.Empty));
        }

        Assert.True(await state.DeleteAsync(Agent1, "key"));
        await AssertAbsentAsync(state, Agent1, "key");
        for (var i = 1; i < owners.Length; i++)
        {
            await AssertRecordAsync(state, owners[i], "key", $"value of {owners[i]} #{i}", i + 1);
        }
    }

    [Fact]
    public async Task Owners_whose_ids_join_to_the_same_text_are_independent()
    {
        var state = await CreateManagerAsync();

        // "g/a" + "b" and "g" + "a/b" print alike (agent:g/a/b); so do other separator-like characters.
        StateOwner[] owners =
        [
            StateOwner.Agent("g/a", "b"),
            StateOwner.Agent("g", "a/b"),
            StateOwner.Agent("g:a", "b"),
            StateOwner.Agent("g", "a:b"),
            StateOwner.Agent("g|a", "b"),
            StateOwner.Agent("g", "a|b"),
            StateOwner.Agent("g", "a"),
            StateOwner.Guild("g/a"),
            StateOwner.Guild("g"),
            StateOwner.Guild("global"),
            StateOwner.Agent("global", "global"),
            StateOwner.Global,
        ];

        for (var i = 0; i < owners.Length; i++)
        {
            await state.SetAsync(owners[i], "k", i);
        }

        for (var i = 0; i < owners.Length; i++)
        {
            await AssertRecordAsync(state, owners[i], "k", i, 1);
            Assert.Single(await ListKeysAsync(state, owners[i], string.Empty));
        }
    }

    [Fact]
    public async Task Owner_ids_and_keys_are_case_space_and_normalization_sensitive()
    {
        var state = await CreateManagerAsync();
        var upper = StateOwner.Guild("Guild");
        var lower = StateOwner.Guild("guild");
        var spaced = StateOwner.Guild("guild ");

        await state.SetAsync(upper, "Key", 1);
        await state.SetAsync(lower, "Key", 2);
        await state.SetAsync(spaced, "Key", 3);
        await state.SetAsync(lower, "key", 4);
        await state.SetAsync(lower, "key ", 5);
        await state.SetAsync(lower, "\u00E9", 6);   // é precomposed
        await state.SetAsync(lower, "e\u0301", 7);  // e + combining acute

        await AssertRecordAsync(state, upper, "Key", 1, 1);
        await AssertRecordAsync(state, lower, "Key", 2, 1);
        await AssertRecordAsync(state, spaced, "Key", 3, 1);
        await AssertRecordAsync(state, lower, "key", 4, 1);
        await AssertRecordAsync(state, lower, "key ", 5, 1);
        await AssertRecordAsync(state, lower, "\u00E9", 6, 1);
        await AssertRecordAsync(state, lower, "e\u0301", 7, 1);
        await AssertAbsentAsync(state, upper, "key");
        Assert.Equal(5, (await ListKeysAsync(state, lower, string.Empty)).Count);
    }

    [Fact]
    public async Task Guild_and_agent_state_with_the_same_ids_and_key_are_independent()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(StateOwner.Guild("x"), "k", "guild");
        await state.SetAsync(StateOwner.Agent("x", "x"), "k", "agent");

        Assert.True(await state.DeleteAsync(StateOwner.Guild("x"), "k"));

        await AssertAbsentAsync(state, StateOwner.Guild("x"), "k");
        await AssertRecordAsync(state, StateOwner.Agent("x", "x"), "k", "agent", 1);
    }
}
