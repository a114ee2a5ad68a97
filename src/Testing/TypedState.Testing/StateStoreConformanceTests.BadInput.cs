namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_default_owner_throws_ArgumentException_and_changes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(StateOwner.Global, "k", 1);
        var owner = default(StateOwner);

        Assert.False(owner.IsValid);
        await Assert.ThrowsAsync<ArgumentException>(() => state.GetAsync<int>(owner, "k").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => state.GetRecordAsync(owner, "k").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => state.SetAsync(owner, "k", 2).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => state.DeleteAsync(owner, "k").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => DrainAsync(state.ListAsync<int>(owner, string.Empty)));
        await using (var tx = await state.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<ArgumentException>(() => tx.GetAsync<int>(owner, "k").AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => tx.SetAsync(owner, "k", 2).AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => tx.DeleteAsync(owner, "k").AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => DrainAsync(tx.ListAsync<int>(owner, string.Empty)));
            await tx.CommitAsync();
        }

        await AssertRecordAsync(state, StateOwner.Global, "k", 1, 1);
        Assert.Equal(["k"], await ListKeysAsync(state, StateOwner.Global, string.Empty));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\nb")]
    [InlineData("nul\0")]
    [InlineData("bell\u0007")]
    public async Task Invalid_guild_or_agent_ids_throw_ArgumentException(string id)
    {
        var state = await CreateManagerAsync();
        var tooLong = new string('g', StateOwner.MaxIdLength + 1);

        foreach (var bad in new[] { id, tooLong, "lone \uD800" })
        {
            var agentEx = Assert.Throws<ArgumentException>(() => StateOwner.Agent(bad, "agent"));
            Assert.Equal("guildId", agentEx.ParamName);
            Assert.Equal("agentId", Assert.Throws<ArgumentException>(() => StateOwner.Agent("guild", bad)).ParamName);
            Assert.Throws<ArgumentException>(() => StateOwner.Guild(bad));
            await Assert.ThrowsAsync<ArgumentException>(() => state.RemoveAgentAsync(bad, "agent").AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => state.RemoveAgentAsync("guild", bad).AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => state.RemoveGuildAsync(bad).AsTask());
        }

        Assert.Throws<ArgumentNullException>(() => StateOwner.Agent(null!, "agent"));
        Assert.Throws<ArgumentNullException>(() => StateOwner.Agent("guild", null!));
        Assert.Throws<ArgumentNullException>(() => StateOwner.Guild(null!));
        _ = StateOwner.Agent(new string('g', StateOwner.MaxIdLength), new string('a', StateOwner.MaxIdLength));
    }

    [Fact]
    public async Task Ids_of_the_maximum_length_work_as_owners()
    {
        var state = await CreateManagerAsync();
        var owner = StateOwner.Agent(new string('g', StateOwner.MaxIdLength), string.Concat(Enumerable.Repeat("🙂", StateOwner.MaxIdLength / 2)));

        await state.SetAsync(owner, "k", 1);

        await AssertRecordAsync(state, owner, "k", 1, 1);
        await state.RemoveGuildAsync(owner.GuildIdOrEmpty);
        await AssertAbsentAsync(state, owner, "k");
    }

    [Fact]
    public async Task Options_outside_their_bounds_are_rejected_when_the_manager_is_built()
    {
        var driver = await CreateDriverAsync();
        try
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new StateManager(driver, new StateManagerOptions { MaxValueBytes = 8 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new StateManager(driver, new StateManagerOptions { MaxKeyLength = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new StateManager(driver, new StateManagerOptions { MaxKeyLength = 8193 }));
        }
        finally
        {
            await driver.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_negative_expected_version_throws_ArgumentOutOfRangeException_and_changes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.SetAsync(Agent1, "k", 2, expectedVersion: -1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.SetAsync(Agent1, "k", 2, TestJsonContext.Default.Int32, expectedVersion: long.MinValue).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.DeleteAsync(Agent1, "k", expectedVersion: -1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.ForAgent(G1, A1).SetAsync(Scope.Agent, "k", 2, expectedVersion: -5).AsTask());
        await using (var tx = await state.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tx.SetAsync(Agent1, "k", 2, expectedVersion: -1).AsTask());
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tx.DeleteAsync(Agent1, "k", expectedVersion: -1).AsTask());
            await tx.CommitAsync();
        }

        await AssertRecordAsync(state, Agent1, "k", 1, 1);
    }

    [Fact]
    public async Task A_canceled_operation_throws_OperationCanceledException_and_writes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);
        await state.SetAsync(Agent1, "k2", 2);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        var token = canceled.Token;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.SetAsync(Agent1, "k", 5, cancellationToken: token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.SetAsync(Agent1, "new", 5, cancellationToken: token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.DeleteAsync(Agent1, "k", cancellationToken: token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.GetAsync<int>(Agent1, "k", token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DrainAsync(state.ListAsync<int>(Agent1, string.Empty, token)));
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(Agent1, "k", 6);
            await tx.SetAsync(Agent1, "from-tx", 6);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tx.CommitAsync(token).AsTask());
        }

        await AssertRecordAsync(state, Agent1, "k", 1, 1);
        await AssertAbsentAsync(state, Agent1, "new");
        await AssertAbsentAsync(state, Agent1, "from-tx");
        Assert.Equal(["k", "k2"], await ListKeysAsync(state, Agent1, string.Empty));
    }
}
