namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_transaction_reads_its_own_writes()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "stored", "old");
        await state.SetAsync(Agent1, "doomed", "bye");

        await using var tx = await state.BeginTransactionAsync();
        var setResult = await tx.SetAsync(Agent1, "new", "fresh");
        await tx.SetAsync(Agent1, "stored", "changed");
        var existed = await tx.DeleteAsync(Agent1, "doomed");

        Assert.Equal(0, setResult);
        Assert.True(existed);
        Assert.Equal("fresh", (await tx.GetAsync<string>(Agent1, "new")).Value);
        Assert.True((await tx.GetAsync<string>(Agent1, "new")).Exists);
        Assert.Equal("changed", (await tx.GetAsync<string>(Agent1, "stored")).Value);
        var deleted = await tx.GetAsync<string>(Agent1, "doomed");
        Assert.False(deleted.Exists);
        Assert.Equal(0, deleted.Version);
        Assert.False(await tx.DeleteAsync(Agent1, "doomed"));
    }

    [Fact]
    public async Task A_transaction_listing_merges_its_sets_and_hides_its_deletes_in_key_order()
    {
        var state = await CreateManagerAsync();
        foreach (var key in new[] { "k:b", "k:d", "k:f", "k:🙂" })
        {
            await state.SetAsync(Agent1, key, "stored " + key);
        }

        await state.SetAsync(Agent2, "k:a", "another owner");

        await using var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "k:a", "tx k:a");
        await tx.SetAsync(Agent1, "k:d", "tx k:d");
        await tx.DeleteAsync(Agent1, "k:f");
        await tx.SetAsync(Agent1, "k:\uFFFD", "tx k:\uFFFD");
        await tx.SetAsync(Agent1, "k:z", "tx k:z");
        await tx.SetAsync(Agent1, "other", "not under the prefix");
        await tx.SetAsync(Agent2, "k:c", "another owner in tx");

        var listed = await ListAllAsync<string>(tx, Agent1, "k:");

        Assert.Equal(["k:a", "k:b", "k:d", "k:z", "k:\uFFFD", "k:🙂"], listed.Select(e => e.Key));
        Assert.Equal(["tx k:a", "stored k:b", "tx k:d", "tx k:z", "tx k:\uFFFD", "stored k:🙂"], listed.Select(e => e.Value));
        Assert.Equal(["k:a", "k:c"], await ListKeysAsync(tx, Agent2, "k:"));
        Assert.Equal(["k:a", "k:b", "k:d", "k:z", "k:\uFFFD", "k:🙂", "other"], await ListKeysAsync(tx, Agent1, string.Empty));
    }

    [Fact]
    public async Task A_transaction_that_deletes_and_sets_again_sees_the_new_value()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Guild1, "k", 1);

        await using var tx = await state.BeginTransactionAsync();
        await tx.DeleteAsync(Guild1, "k");
        await tx.SetAsync(Guild1, "k", 2);
        Assert.Equal(2, (await tx.GetAsync<int>(Guild1, "k")).Value);
        Assert.Equal(["k"], await ListKeysAsync(tx, Guild1, string.Empty));
        await tx.CommitAsync();

        var entry = await state.GetAsync<int>(Guild1, "k");
        Assert.Equal(2, entry.Value);
        Assert.True(entry.Version > 1);
    }

    [Fact]
    public async Task Nothing_a_transaction_writes_is_visible_outside_before_commit()
    {
        var state = await CreateManagerAsync();
        var other = GlobalOrSameRoot;
        await state.SetAsync(Guild1, "existing", "before");
        await state.SetAsync(Guild1, "doomed", "still here");
        await AssertSpanningRootsRefusedAsync(state, (Agent1, "new"), (Guild1, "existing"), (StateOwner.Global, "g"));

        await using var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "new", 1);
        await tx.SetAsync(Guild1, "existing", "after");
        await tx.DeleteAsync(Guild1, "doomed");
        await tx.SetAsync(other, "g", 1);

        await AssertAbsentAsync(state, Agent1, "new");
        await AssertRecordAsync(state, Guild1, "existing", "before", 1);
        await AssertRecordAsync(state, Guild1, "doomed", "still here", 1);
        await AssertAbsentAsync(state, other, "g");
        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));

        await tx.CommitAsync();

        await AssertRecordAsync(state, Agent1, "new", 1, 1);
        await AssertRecordAsync(state, Guild1, "existing", "after", 2);
        await AssertAbsentAsync(state, Guild1, "doomed");
        await AssertRecordAsync(state, other, "g", 1, 1);
        Assert.False(tx.IsActive);
    }

    [Fact]
    public async Task Commit_applies_every_write_of_all_three_scopes()
    {
        var state = await CreateManagerAsync();
        var other = GlobalOrSameRoot;
        await AssertSpanningRootsRefusedAsync(state, (Agent1, "a"), (Guild1, "g"), (StateOwner.Global, "x"));
        await AssertSpanningRootsRefusedAsync(state, (Agent1, "a"), (Guild2, "g"));

        await using (var tx = await state.BeginTransactionAsync())
        {
            Assert.True(tx.IsActive);
            await tx.SetAsync(Agent1, "a", "agent");
            await tx.SetAsync(Agent2, "a", "agent 2");
            await tx.SetAsync(Guild1, "g", "guild");
            await tx.SetAsync(other, "x", "global");
            await tx.CommitAsync();
            Assert.False(tx.IsActive);
        }

        await AssertRecordAsync(state, Agent1, "a", "agent", 1);
        await AssertRecordAsync(state, Agent2, "a", "agent 2", 1);
        await AssertRecordAsync(state, Guild1, "g", "guild", 1);
        await AssertRecordAsync(state, other, "x", "global", 1);
    }

    [Fact]
    public async Task Rollback_discards_every_write()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "kept", "original");

        var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "kept", "changed");
        await tx.SetAsync(Agent1, "new", "new");
        await tx.DeleteAsync(Agent1, "kept");
        await tx.RollbackAsync();

        Assert.False(tx.IsActive);
        await AssertRecordAsync(state, Agent1, "kept", "original", 1);
        await AssertAbsentAsync(state, Agent1, "new");
        await tx.DisposeAsync();
    }

    [Fact]
    public async Task Disposing_without_commit_discards_every_write()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Guild1, "kept", 1);

        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(Guild1, "kept", 2);
            await tx.SetAsync(Guild1, "new", 3);
        }

        using (var syncTx = await state.BeginTransactionAsync())
        {
            await syncTx.DeleteAsync(Guild1, "kept");
        }

        await AssertRecordAsync(state, Guild1, "kept", 1, 1);
        await AssertAbsentAsync(state, Guild1, "new");
    }

    [Fact]
    public async Task Using_a_transaction_after_commit_throws_InvalidOperationException()
    {
        var state = await CreateManagerAsync();
        var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "k", 1);
        await tx.CommitAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => tx.GetAsync<int>(Agent1, "k").AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => tx.SetAsync(Agent1, "k", 2).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => tx.DeleteAsync(Agent1, "k").AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => DrainAsync(tx.ListAsync<int>(Agent1, string.Empty)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => tx.CommitAsync().AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => tx.RollbackAsync().AsTask());
        await tx.DisposeAsync();

        await AssertRecordAsync(state, Agent1, "k", 1, 1);
    }

    [Fact]
    public async Task Using_a_transaction_after_rollback_throws_InvalidOperationException()
    {
        var state = await CreateManagerAsync();
        var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "k", 1);
        await tx.RollbackAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => tx.SetAsync(Agent1, "k", 2).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => tx.CommitAsync().AsTask());
        await tx.DisposeAsync();

        await AssertAbsentAsync(state, Agent1, "k");
    }

    [Fact]
    public async Task An_empty_transaction_commits()
    {
        var state = await CreateManagerAsync();
        await using var tx = await state.BeginTransactionAsync();

        await tx.CommitAsync();

        Assert.False(tx.IsActive);
    }

    [Fact]
    public async Task A_transaction_can_create_many_records_and_delete_them_again_atomically()
    {
        var state = await CreateManagerAsync();

        await using (var create = await state.BeginTransactionAsync())
        {
            for (var i = 0; i < 50; i++)
            {
                await create.SetAsync(Guild1, $"r{i:D2}", i);
            }

            await create.CommitAsync();
        }

        Assert.Equal(50, (await ListKeysAsync(state, Guild1, "r")).Count);

        await using (var delete = await state.BeginTransactionAsync())
        {
            await foreach (var entry in delete.ListAsync<int>(Guild1, "r"))
            {
                Assert.True(await delete.DeleteAsync(Guild1, entry.Key));
            }

            Assert.Empty(await ListKeysAsync(delete, Guild1, "r"));
            await delete.CommitAsync();
        }

        Assert.Empty(await ListKeysAsync(state, Guild1, "r"));
    }
}
