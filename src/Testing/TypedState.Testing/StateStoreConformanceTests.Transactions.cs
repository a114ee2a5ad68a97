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
        await state.SetAsync(Guild1, "existing", "before");
        await state.SetAsync(Guild1, "doomed", "still here");

        await using var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "new", 1);
        await tx.SetAsync(Guild1, "existing", "after");
        await tx.DeleteAsync(Guild1, "doomed");
        await tx.SetAsync(StateOwner.Global, "g", 1);

        await AssertAbsentAsync(state, Agent1, "new");
        await AssertRecordAsync(state, Guild1, "existing", "before", 1);
        await AssertRecordAsync(state, Guild1, "doomed", "still here", 1);
        await AssertAbsentAsync(state, StateOwner.Global, "g");
        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));

        await tx.CommitAsync();

        await AssertRecordAsync(state, Agent1, "new", 1, 1);
        await AssertRecordAsync(state, Guild1, "existing", "after", 2);
        await AssertAbsentAsync(state, Guild1, "doomed");
        await AssertRecordAsync(state, StateOwner.Global, "g", 1, 1);
        Assert.False(tx.IsActive);
    }

    [Fact]
    public async Task Commit_applies_every_write_of_all_three_scopes()
    {
        var state = await CreateManagerAsync();

        await using (var tx = await state.BeginTransactionAsync())
        {
            Assert.True(tx.IsActive);
            await tx.SetAsync(Agent1, "a", "agent");
            await tx.SetAsync(Agent2, "a", "agent 2");
            await tx.SetAsync(Guild1, "g", "guild");
            await tx.SetAsync(StateOwner.Global, "x", "global");
            await tx.CommitAsync();
            Assert.False(tx.IsActive);
        }

        await AssertRecordAsync(state, Agent1, "a", "agent", 1);
        await AssertRecordAsync(state, Agent2, "a", "agent 2", 1);
        await AssertRecordAsync(state, Guild1, "g", "guild", 1);
        await AssertRecordAsync(state, StateOwner.Global, "x", "global", 1);
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
    public async Task A_cross_scope_transaction_with_one_stale_write_applies_none_of_its_writes()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(StateOwner.Global, "config", "v1");
        await state.SetAsync(StateOwner.Global, "config", "v2");
        await state.SetAsync(Guild1, "total", 10);

        await using var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "visits", 1);
        await tx.SetAsync(Guild1, "total", 11, expectedVersion: 1);
        await tx.SetAsync(StateOwner.Global, "config", "v3", expectedVersion: 1); // stale: the record is at 2

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, StateOwner.Global, "config");
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        await AssertAbsentAsync(state, Agent1, "visits");
        await AssertRecordAsync(state, Guild1, "total", 10, 1);
        await AssertRecordAsync(state, StateOwner.Global, "config", "v2", 2);
        Assert.False(tx.IsActive);
    }

    [Fact]
    public async Task A_cross_scope_transaction_whose_first_write_is_stale_applies_none_of_its_writes()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "visits", 5);

        await using var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(Agent1, "visits", 6, expectedVersion: 0); // stale: the record exists
        await tx.SetAsync(Guild1, "total", 1);
        await tx.SetAsync(StateOwner.Global, "all", 1);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());

        AssertNamesRecord(ex, Agent1, "visits");
        Assert.Equal(0, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        await AssertRecordAsync(state, Agent1, "visits", 5, 1);
        await AssertAbsentAsync(state, Guild1, "total");
        await AssertAbsentAsync(state, StateOwner.Global, "all");
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

    [Fact]
    public async Task RunTransaction_retries_the_work_after_a_conflict_and_commits_the_retry()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "balance", 10);
        var attempts = 0;

        var seen = await state.RunTransactionAsync(
            async (tx, ct) =>
            {
                attempts++;
                var balance = await tx.GetAsync<int>(Agent1, "balance", ct);
                if (attempts == 1)
                {
                    await state.SetAsync(Agent1, "balance", 100, cancellationToken: ct); // interference, first attempt only
                }

                await tx.SetAsync(Agent1, "balance", balance.Value + 1, cancellationToken: ct);
                await tx.SetAsync(Agent1, "audit", $"attempt {attempts}", cancellationToken: ct);
                return balance.Value;
            });

        Assert.Equal(2, attempts);
        Assert.Equal(100, seen);
        await AssertRecordAsync(state, Agent1, "balance", 101, 3);
        await AssertRecordAsync(state, Agent1, "audit", "attempt 2", 1);
    }

    [Fact]
    public async Task RunTransaction_gives_up_after_max_attempts_with_the_conflict()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "hot", 0);
        var attempts = 0;

        await Assert.ThrowsAsync<StateConflictException>(() => state.RunTransactionAsync(
            async (tx, ct) =>
            {
                attempts++;
                var hot = await tx.GetAsync<int>(Agent1, "hot", ct);
                await state.SetAsync(Agent1, "hot", hot.Value + 100, cancellationToken: ct); // always interferes
                await tx.SetAsync(Agent1, "hot", hot.Value + 1, cancellationToken: ct);
            },
            maxAttempts: 3).AsTask());

        Assert.Equal(3, attempts);
        await AssertRecordAsync(state, Agent1, "hot", 300, 4);
    }

    [Fact]
    public async Task RunTransaction_does_not_retry_other_errors_and_applies_nothing()
    {
        var state = await CreateManagerAsync();
        var attempts = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => state.RunTransactionAsync(
            async (tx, ct) =>
            {
                attempts++;
                await tx.SetAsync(Agent1, "half", 1, cancellationToken: ct);
                throw new InvalidOperationException("the work failed");
            }).AsTask());

        Assert.Equal(1, attempts);
        await AssertAbsentAsync(state, Agent1, "half");
    }
}
