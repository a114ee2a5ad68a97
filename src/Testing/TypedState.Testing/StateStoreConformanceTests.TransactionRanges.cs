namespace TypedState.Testing;

/// <summary>
/// What a transaction guarantees about the records it listed: each record the listing returned is checked at commit
/// like a record read with GetAsync, but a record added under the prefix after the listing is not noticed (there is
/// no phantom protection); a record every writer of the collection updates is how a collection is guarded.
/// </summary>
public abstract partial class StateStoreConformanceTests
{
    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task A_transaction_commits_although_another_client_added_a_record_under_a_prefix_it_listed(string scope)
    {
        var owner = OwnerFor(scope);
        var state = await CreateManagerAsync();
        var other = CreateManagerOver(state.Driver);
        await state.SetAsync(owner, "items/a", "apple");
        await state.SetAsync(owner, "items/b", "bread");

        await using var tx = await state.BeginTransactionAsync();
        var listed = await ListKeysAsync(tx, owner, "items/");
        await other.SetAsync(owner, "items/c", "cheese");
        await tx.SetAsync(owner, "count", listed.Count);
        await tx.CommitAsync();

        // The documented limit, pinned: the new record is a phantom the commit does not see, so the count is stale.
        Assert.Equal(["items/a", "items/b"], listed);
        await AssertRecordAsync(state, owner, "count", 2, 1);
        Assert.Equal(["items/a", "items/b", "items/c"], await ListKeysAsync(state, owner, "items/"));
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task Commit_fails_naming_the_record_when_another_client_changed_a_record_the_transaction_listed(string scope)
    {
        var owner = OwnerFor(scope);
        var state = await CreateManagerAsync();
        var other = CreateManagerOver(state.Driver);
        await state.SetAsync(owner, "items/a", "apple");
        await state.SetAsync(owner, "items/b", "bread");

        await using var tx = await state.BeginTransactionAsync();
        var listed = await ListKeysAsync(tx, owner, "items/");
        await other.SetAsync(owner, "items/b", "brioche");
        await tx.SetAsync(owner, "count", listed.Count);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, owner, "items/b");
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        Assert.False(tx.IsActive);
        await AssertAbsentAsync(state, owner, "count");
        await AssertRecordAsync(state, owner, "items/b", "brioche", 2);
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task Commit_fails_naming_the_record_when_another_client_deleted_a_record_the_transaction_listed(string scope)
    {
        var owner = OwnerFor(scope);
        var state = await CreateManagerAsync();
        var other = CreateManagerOver(state.Driver);
        await state.SetAsync(owner, "items/a", "apple");
        await state.SetAsync(owner, "items/b", "bread");

        await using var tx = await state.BeginTransactionAsync();
        var listed = await ListKeysAsync(tx, owner, "items/");
        Assert.True(await other.DeleteAsync(owner, "items/a"));
        await tx.SetAsync(owner, "count", listed.Count);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, owner, "items/a");
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(0, ex.ActualVersion);
        await AssertAbsentAsync(state, owner, "count");
        Assert.Equal(["items/b"], await ListKeysAsync(state, owner, "items/"));
    }

    [Fact]
    public async Task A_record_every_writer_of_a_collection_updates_makes_a_commit_fail_when_a_record_was_added()
    {
        var state = await CreateManagerAsync();
        var other = CreateManagerOver(state.Driver);
        await state.SetAsync(Guild1, "items/a", "apple");
        await state.SetAsync(Guild1, "items/b", "bread");
        await state.SetAsync(Guild1, "items-count", 2);

        // The guard: a transaction that relies on the whole collection reads its count record ...
        await using var tx = await state.BeginTransactionAsync();
        var count = await tx.GetAsync<int>(Guild1, "items-count");
        var listed = await ListKeysAsync(tx, Guild1, "items/");
        Assert.Equal(count.Value, listed.Count);

        // ... and every writer that adds to the collection updates it in the same transaction.
        await other.RunTransactionAsync(async (add, ct) =>
        {
            var current = await add.GetAsync<int>(Guild1, "items-count", ct);
            await add.SetAsync(Guild1, "items/c", "cheese", cancellationToken: ct);
            await add.SetAsync(Guild1, "items-count", current.Value + 1, cancellationToken: ct);
        });
        await tx.SetAsync(Guild1, "summary", string.Join(",", listed));

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, Guild1, "items-count");
        await AssertAbsentAsync(state, Guild1, "summary");
        await AssertRecordAsync(state, Guild1, "items-count", 3, 2);
    }
}
