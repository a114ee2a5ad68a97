namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task Reads_inside_a_transaction_are_repeatable()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", "first");

        await using var tx = await state.BeginTransactionAsync();
        var before = await tx.GetAsync<string>(Agent1, "k");
        await state.SetAsync(Agent1, "k", "second");
        var after = await tx.GetAsync<string>(Agent1, "k");

        Assert.Equal("first", before.Value);
        Assert.Equal("first", after.Value);
        Assert.Equal(1, after.Version);
    }

    [Fact]
    public async Task A_transaction_listing_does_not_report_a_key_it_saw_absent_that_someone_else_created()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "job:1", 1);

        await using var tx = await state.BeginTransactionAsync();
        Assert.False((await tx.GetAsync<int>(Agent1, "job:2")).Exists);
        await state.SetAsync(Agent1, "job:2", 2); // someone else

        var listed = await ListAllAsync<int>(tx, Agent1, "job:");

        // The transaction saw job:2 absent; its listing must agree with its own read, and job:2 is not corrupt.
        Assert.All(listed, e => Assert.Null(e.Error));
        Assert.Equal(["job:1"], listed.Select(e => e.Key));
        Assert.False((await tx.GetAsync<int>(Agent1, "job:2")).Exists);
    }

    [Fact]
    public async Task A_transaction_listing_keeps_showing_a_key_it_read_that_someone_else_deleted()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "job:1", 1);
        await state.SetAsync(Agent1, "job:2", 2);

        await using var tx = await state.BeginTransactionAsync();
        Assert.Equal(2, (await tx.GetAsync<int>(Agent1, "job:2")).Value);
        await state.DeleteAsync(Agent1, "job:2"); // someone else

        var listed = await ListAllAsync<int>(tx, Agent1, "job:");

        // Reads are repeatable: the listing agrees with what the transaction already read.
        Assert.Equal(2, (await tx.GetAsync<int>(Agent1, "job:2")).Value);
        Assert.Equal(["job:1", "job:2"], listed.Select(e => e.Key));
        Assert.Equal([1, 2], listed.Select(e => e.Value));
    }

    [Fact]
    public async Task A_transaction_listing_shows_the_value_it_read_when_someone_else_changed_it()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "job:1", 1);

        await using var tx = await state.BeginTransactionAsync();
        await tx.GetAsync<int>(Agent1, "job:1");
        await state.SetAsync(Agent1, "job:1", 100); // someone else

        var listed = Assert.Single(await ListAllAsync<int>(tx, Agent1, "job:"));

        Assert.Equal(1, listed.Value);
        Assert.Equal(1, listed.Version);
        await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());
    }

    [Fact]
    public async Task A_transaction_succeeds_when_others_change_keys_it_did_not_touch()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "mine", 1);
        await state.SetAsync(Agent1, "theirs", 1);

        await using var tx = await state.BeginTransactionAsync();
        var mine = await tx.GetAsync<int>(Agent1, "mine");
        await tx.SetAsync(Agent1, "mine", mine.Value + 1);
        await state.SetAsync(Agent1, "theirs", 2);
        await state.SetAsync(Agent2, "mine", 2);
        await tx.CommitAsync();

        await AssertRecordAsync(state, Agent1, "mine", 2, 2);
        await AssertRecordAsync(state, Agent1, "theirs", 2, 2);
    }

    [Fact]
    public async Task A_value_written_in_a_transaction_carries_the_version_its_write_builds_on()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);
        await state.SetAsync(Agent1, "k", 2);

        await using var tx = await state.BeginTransactionAsync();
        var read = await tx.GetAsync<int>(Agent1, "k");
        await tx.SetAsync(Agent1, "k", 3);
        var own = await tx.GetAsync<int>(Agent1, "k");
        await tx.CommitAsync();

        Assert.Equal(2, read.Version);
        Assert.Equal(3, own.Value);
        Assert.Equal(2, own.Version);
        await AssertRecordAsync(state, Agent1, "k", 3, 3);
    }
}
