namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_cross_scope_transaction_with_one_stale_write_applies_none_of_its_writes()
    {
        var state = await CreateManagerAsync();
        var other = GlobalOrSameRoot;
        await state.SetAsync(other, "config", "v1");
        await state.SetAsync(other, "config", "v2");
        await state.SetAsync(Guild1, "total", 10);
        await AssertSpanningRootsRefusedAsync(state, (Agent1, "visits"), (Guild1, "total"), (StateOwner.Global, "config"));

        await using var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "visits", 1);
        await tx.SetAsync(Guild1, "total", 11, expectedVersion: 1);
        await tx.SetAsync(other, "config", "v3", expectedVersion: 1); // stale: the record is at 2

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, other, "config");
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        await AssertAbsentAsync(state, Agent1, "visits");
        await AssertRecordAsync(state, Guild1, "total", 10, 1);
        await AssertRecordAsync(state, other, "config", "v2", 2);
        Assert.False(tx.IsActive);
    }

    [Fact]
    public async Task A_cross_scope_transaction_whose_first_write_is_stale_applies_none_of_its_writes()
    {
        var state = await CreateManagerAsync();
        var other = GlobalOrSameRoot;
        await state.SetAsync(Agent1, "visits", 5);
        await AssertSpanningRootsRefusedAsync(state, (Agent1, "visits"), (Guild1, "total"), (StateOwner.Global, "all"));

        await using var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "visits", 6, expectedVersion: 0); // stale: the record exists
        await tx.SetAsync(Guild1, "total", 1);
        await tx.SetAsync(other, "all", 1);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, Agent1, "visits");
        Assert.Equal(0, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        await AssertRecordAsync(state, Agent1, "visits", 5, 1);
        await AssertAbsentAsync(state, Guild1, "total");
        await AssertAbsentAsync(state, other, "all");
    }

    [Fact]
    public async Task Commit_conflicts_when_another_writer_changed_a_key_the_transaction_only_read()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Guild1, "rate", 3);

        await using var tx = await state.BeginTransactionAsync();
        var rate = await tx.GetAsync<int>(Guild1, "rate");
        await tx.SetAsync(Agent1, "price", rate.Value * 10);

        await state.SetAsync(Guild1, "rate", 4); // someone else

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, Guild1, "rate");
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        await AssertAbsentAsync(state, Agent1, "price");
    }

    [Fact]
    public async Task Commit_of_a_read_only_transaction_conflicts_when_a_read_key_changed()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "a", 1);
        await state.SetAsync(Agent1, "b", 1);

        await using var tx = await state.BeginTransactionAsync();
        await tx.GetAsync<int>(Agent1, "a");
        await tx.GetAsync<int>(Agent1, "b");
        await state.SetAsync(Agent1, "b", 2);

        await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());
    }

    [Fact]
    public async Task Commit_conflicts_when_another_writer_changed_a_key_the_transaction_read_and_wrote()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "balance", 100);

        await using var tx = await state.BeginTransactionAsync();
        var balance = await tx.GetAsync<int>(Agent1, "balance");
        await tx.SetAsync(Agent1, "balance", balance.Value - 30);
        await tx.SetAsync(Agent1, "log", "withdrew 30");

        await state.SetAsync(Agent1, "balance", 50); // someone else

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, Agent1, "balance");
        await AssertRecordAsync(state, Agent1, "balance", 50, 2);
        await AssertAbsentAsync(state, Agent1, "log");
    }

    [Fact]
    public async Task Commit_conflicts_when_another_writer_deleted_a_key_the_transaction_read()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);

        await using var tx = await state.BeginTransactionAsync();
        await tx.GetAsync<int>(Agent1, "k");
        await tx.SetAsync(Agent1, "other", 1);
        await state.DeleteAsync(Agent1, "k");

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        Assert.Equal(0, ex.ActualVersion);
        await AssertAbsentAsync(state, Agent1, "other");
    }

    [Fact]
    public async Task Commit_conflicts_when_another_writer_changed_a_key_the_transaction_deletes()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);

        await using var tx = await state.BeginTransactionAsync();
        await tx.DeleteAsync(Agent1, "k");
        await state.SetAsync(Agent1, "k", 2);

        await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());
        await AssertRecordAsync(state, Agent1, "k", 2, 2);
    }

    [Fact]
    public async Task Commit_conflicts_when_someone_created_a_key_the_transaction_read_as_absent()
    {
        var state = await CreateManagerAsync();

        await using var tx = await state.BeginTransactionAsync();
        var lease = await tx.GetAsync<string>(Guild1, "lease");
        Assert.False(lease.Exists);
        await tx.SetAsync(Agent1, "holder", "me");

        await state.SetAsync(Guild1, "lease", "someone else");

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, Guild1, "lease");
        Assert.Equal(0, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        await AssertAbsentAsync(state, Agent1, "holder");
        await AssertRecordAsync(state, Guild1, "lease", "someone else", 1);
    }

    [Fact]
    public async Task Commit_conflicts_when_another_writer_changed_a_key_the_transaction_listed()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "item:1", 1);
        await state.SetAsync(Agent1, "item:2", 2);

        await using var tx = await state.BeginTransactionAsync();
        var sum = 0;
        await foreach (var entry in tx.ListAsync<int>(Agent1, "item:"))
        {
            sum += entry.Value;
        }

        await tx.SetAsync(Agent1, "sum", sum);
        await state.SetAsync(Agent1, "item:2", 20);

        await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());
        await AssertAbsentAsync(state, Agent1, "sum");
    }

    [Fact]
    public async Task An_explicit_expected_version_inside_a_transaction_is_checked_at_commit()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", "v1");

        await using (var good = await state.BeginTransactionAsync())
        {
            await good.SetAsync(Agent1, "k", "v2", expectedVersion: 1);
            await good.CommitAsync();
        }

        await using (var stale = await state.BeginTransactionAsync())
        {
            await stale.SetAsync(Agent1, "k", "lost", expectedVersion: 1);
            var ex = await Assert.ThrowsAsync<StateConflictException>(() => stale.CommitAsync().AsTask());
            Assert.Equal(1, ex.ExpectedVersion);
            Assert.Equal(2, ex.ActualVersion);
        }

        await AssertRecordAsync(state, Agent1, "k", "v2", 2);
    }

    [Fact]
    public async Task An_expected_version_contradicting_what_the_transaction_read_fails_at_once()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);
        await state.SetAsync(Agent1, "k", 2);

        await using var tx = await state.BeginTransactionAsync();
        await tx.GetAsync<int>(Agent1, "k");

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.SetAsync(Agent1, "k", 3, expectedVersion: 1).AsTask());

        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        AssertNamesRecord(ex, Agent1, "k");
    }
}
