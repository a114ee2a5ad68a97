using TypedState.Storage;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_committed_transaction_returns_the_version_of_every_record_it_wrote_and_the_outcome_of_its_deletes()
    {
        var state = await CreateManagerAsync();
        var readOnly = GlobalOrSameRoot;
        await state.SetAsync(Agent1, "updated", 1);
        await state.SetAsync(Agent1, "updated", 2);
        await state.SetAsync(Guild1, "deleted", 1);
        await state.SetAsync(readOnly, "only-read", 1);
        await AssertSpanningRootsRefusedAsync(state, (Agent1, "created"), (StateOwner.Global, "only-read"));

        TransactionCommit commit;
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(Agent1, "created", "new");
            await tx.GetAsync<int>(readOnly, "only-read");
            await tx.SetAsync(Agent1, "updated", 3);
            await tx.DeleteAsync(Guild1, "deleted");
            await tx.DeleteAsync(Guild1, "never-there");
            await tx.SetJsonAsync(Agent2, "raw", "[1]"u8.ToArray());
            commit = await tx.CommitAsync();
        }

        Assert.Equal(
            [
                new CommittedWrite(Agent1, "created", StateWriteKind.Set, 1),
                new CommittedWrite(Agent1, "updated", StateWriteKind.Set, 3),
                new CommittedWrite(Guild1, "deleted", StateWriteKind.Delete, 1),
                new CommittedWrite(Guild1, "never-there", StateWriteKind.Delete, 0),
                new CommittedWrite(Agent2, "raw", StateWriteKind.Set, 1),
            ],
            commit.Writes);
        Assert.True(commit.Writes[2].IsDelete);
        Assert.True(commit.Writes[2].Existed);
        Assert.False(commit.Writes[3].Existed);
        Assert.True(commit.Writes[0].Existed);
        Assert.False(commit.TryGetWrite(readOnly, "only-read", out _));
        Assert.Equal((await state.GetAsync<string>(Agent1, "created")).Version, commit.VersionOf(Agent1, "created"));
        Assert.Equal((await state.GetAsync<int>(Agent1, "updated")).Version, commit.VersionOf(Agent1, "updated"));
        Assert.Throws<KeyNotFoundException>(() => commit.VersionOf(Guild1, "deleted"));

        // The versions are the ones the next compare-and-set expects.
        Assert.Equal(4, await state.SetAsync(Agent1, "updated", 4, expectedVersion: commit.VersionOf(Agent1, "updated")));
    }

    [Fact]
    public async Task A_committed_result_of_one_owner_keeps_its_writes_after_the_next_transaction()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "gone", 1);

        TransactionCommit first;
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(Agent1, "a", 1);
            await tx.DeleteAsync(Agent1, "gone");
            await tx.SetAsync(Agent1, "b", 2, expectedVersion: 0);
            first = await tx.CommitAsync();
        }

        // The next transaction of the same manager touches other records (and the same ones) before the first result is read.
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(Agent1, "a", 3);
            await tx.SetAsync(Agent2, "c", 4);
            await tx.DeleteAsync(Agent1, "b");
            await tx.CommitAsync();
        }

        Assert.Equal(1, first.VersionOf(Agent1, "b"));
        Assert.False(first.TryGetWrite(Agent2, "a", out _));
        Assert.False(first.TryGetWrite(Agent1, "c", out _));
        Assert.Equal(
            [
                new CommittedWrite(Agent1, "a", StateWriteKind.Set, 1),
                new CommittedWrite(Agent1, "gone", StateWriteKind.Delete, 1),
                new CommittedWrite(Agent1, "b", StateWriteKind.Set, 1),
            ],
            first.Writes);
        Assert.Same(first.Writes, first.Writes);
        Assert.True(first.TryGetWrite(Agent1, "gone", out var deleted) && deleted is { IsDelete: true, Existed: true });
    }

    [Fact]
    public async Task A_transaction_that_writes_nothing_commits_an_empty_result()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);

        await using var readOnly = await state.BeginTransactionAsync();
        await readOnly.GetAsync<int>(Agent1, "k");
        var commit = await readOnly.CommitAsync();

        Assert.Empty(commit.Writes);
        await using var empty = await state.BeginTransactionAsync();
        Assert.Empty((await empty.CommitAsync()).Writes);
    }

    [Fact]
    public async Task An_agent_bound_transaction_returns_its_committed_versions_too()
    {
        var state = await CreateManagerAsync();
        var agent = state.ForAgent(G1, A1);
        await state.SetAsync(Guild1, "shared", 7);

        await using var tx = await agent.BeginTransactionAsync();
        await tx.SetAsync(Scope.Agent, "mine", 1);
        await tx.SetAsync(Scope.Guild, "shared", 8);
        var commit = await tx.CommitAsync();

        Assert.Equal(1, commit.VersionOf(Agent1, "mine"));
        Assert.Equal(2, commit.VersionOf(Guild1, "shared"));
    }
}
