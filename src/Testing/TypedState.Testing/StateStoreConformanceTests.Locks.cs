namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    private static readonly TimeSpan s_longLease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_held_key_lock_excludes_a_second_holder_until_it_is_released()
    {
        var state = await CreateManagerAsync();
        var first = await state.TryAcquireLockAsync(Agent1, "counter", s_longLease);
        Assert.NotNull(first);

        Assert.Null(await state.TryAcquireLockAsync(Agent1, "counter", s_longLease));

        await first.ReleaseAsync();
        var second = await state.TryAcquireLockAsync(Agent1, "counter", s_longLease);
        Assert.NotNull(second);
        Assert.True(second.FencingToken > first.FencingToken);
        await second.ReleaseAsync();
    }

    [Fact]
    public async Task Locks_on_different_keys_and_owners_do_not_exclude_each_other()
    {
        var state = await CreateManagerAsync();
        await using var a = await state.AcquireLockAsync(Agent1, "a", s_longLease, TimeSpan.Zero);
        await using var b = await state.AcquireLockAsync(Agent1, "b", s_longLease, TimeSpan.Zero);
        await using var other = await state.AcquireLockAsync(Agent2, "a", s_longLease, TimeSpan.Zero);
        await using var guild = await state.AcquireLockAsync(Guild1, "a", s_longLease, TimeSpan.Zero);
        await using var global = await state.AcquireLockAsync(StateOwner.Global, null, s_longLease, TimeSpan.Zero);
        Assert.NotEqual(0, a.FencingToken);
        Assert.Equal(Agent1, a.Owner);
        Assert.Equal("a", a.Key);
        Assert.Null(global.Key);
    }

    [Fact]
    public async Task An_owner_lock_and_key_locks_of_that_owner_exclude_each_other()
    {
        var state = await CreateManagerAsync();
        var keyLock = await state.AcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.Zero);

        Assert.Null(await state.TryAcquireLockAsync(Agent1, null, s_longLease));

        await keyLock.ReleaseAsync();
        var ownerLock = await state.AcquireLockAsync(Agent1, null, s_longLease, TimeSpan.Zero);
        Assert.Null(await state.TryAcquireLockAsync(Agent1, "k", s_longLease));
        Assert.Null(await state.TryAcquireLockAsync(Agent1, "other", s_longLease));
        Assert.NotNull(await state.TryAcquireLockAsync(Agent2, "k", s_longLease));
        await ownerLock.ReleaseAsync();
    }

    [Fact]
    public async Task Fencing_tokens_grow_across_keys_releases_and_owner_removal()
    {
        var state = await CreateManagerAsync();
        var tokens = new List<long>();
        foreach (var key in new string?[] { "a", "b", null, "a" })
        {
            await using var held = await state.AcquireLockAsync(Agent1, key, s_longLease, TimeSpan.Zero);
            tokens.Add(held.FencingToken);
        }

        await state.RemoveAgentAsync(G1, A1);
        await using (var afterRemoval = await state.AcquireLockAsync(Agent1, "a", s_longLease, TimeSpan.Zero))
        {
            tokens.Add(afterRemoval.FencingToken);
        }

        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public async Task Acquire_waits_for_a_lease_to_expire_and_the_late_holder_is_then_fenced_out()
    {
        var state = await CreateManagerAsync();
        var stale = await state.AcquireLockAsync(Agent1, "counter", TimeSpan.FromMilliseconds(300), TimeSpan.Zero);
        await stale.State.SetAsync(Agent1, "counter", 1);

        // The holder "crashed": nobody releases it, so the next acquirer gets it when the lease runs out.
        var fresh = await state.AcquireLockAsync(Agent1, "counter", s_longLease, TimeSpan.FromSeconds(20));
        Assert.True(fresh.FencingToken > stale.FencingToken);
        Assert.True(DateTimeOffset.UtcNow >= stale.ExpiresAt.AddMilliseconds(-100));

        var refused = await Assert.ThrowsAsync<StateLockException>(async () => await stale.State.SetAsync(Agent1, "counter", 99));
        Assert.Equal(StateLockFailure.FencedOut, refused.Failure);
        Assert.Equal(stale.FencingToken, refused.Token);
        Assert.Equal(fresh.FencingToken, refused.NewestToken);
        Assert.Equal(Scope.Agent, refused.Scope);
        Assert.Contains("counter", refused.Message, StringComparison.Ordinal);

        var lost = await Assert.ThrowsAsync<StateLockException>(async () => await stale.RenewAsync());
        Assert.Equal(StateLockFailure.Lost, lost.Failure);

        await fresh.State.SetAsync(Agent1, "counter", 2);
        await AssertRecordAsync(state, Agent1, "counter", 2, 2);
        await fresh.ReleaseAsync();
    }

    [Fact]
    public async Task A_stale_owner_lock_holder_is_fenced_out_by_a_newer_key_lock_and_its_transaction_applies_nothing()
    {
        var state = await CreateManagerAsync();
        var stale = await state.AcquireLockAsync(Agent1, null, TimeSpan.FromMilliseconds(200), TimeSpan.Zero);
        var fresh = await state.AcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.FromSeconds(20));

        await using (var tx = await stale.State.BeginTransactionAsync())
        {
            await tx.SetAsync(Agent1, "k", 1);
            await tx.SetAsync(Guild1, "other", 1);
            var error = await Assert.ThrowsAsync<StateLockException>(async () => await tx.CommitAsync());
            Assert.Equal(StateLockFailure.FencedOut, error.Failure);
        }

        Assert.False((await state.GetAsync<int>(Agent1, "k")).Exists);
        Assert.False((await state.GetAsync<int>(Guild1, "other")).Exists);
        await fresh.ReleaseAsync();
    }

    [Fact]
    public async Task Renew_extends_a_held_lease_and_fenced_writes_of_the_current_holder_apply()
    {
        var state = await CreateManagerAsync();
        await using var held = await state.AcquireLockAsync(Guild1, "doc", TimeSpan.FromSeconds(5), TimeSpan.Zero);
        var before = held.ExpiresAt;

        await held.RenewAsync(TimeSpan.FromSeconds(60));

        Assert.True(held.ExpiresAt > before);
        Assert.Equal(1, await held.State.SetAsync(Guild1, "doc", "v1"));
        Assert.True(await held.State.DeleteAsync(Guild1, "doc"));
        Assert.Null(await state.TryAcquireLockAsync(Guild1, "doc", s_longLease));
    }

    [Fact]
    public async Task Acquire_gives_up_after_its_timeout_with_a_typed_error()
    {
        var state = await CreateManagerAsync();
        await using var held = await state.AcquireLockAsync(Guild1, "busy", s_longLease, TimeSpan.Zero);

        var error = await Assert.ThrowsAsync<StateLockException>(async () =>
            await state.AcquireLockAsync(Guild1, "busy", s_longLease, TimeSpan.FromMilliseconds(100)));

        Assert.Equal(StateLockFailure.Timeout, error.Failure);
        Assert.Equal("busy", error.Key);
        Assert.Contains("guild-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Releasing_twice_or_a_superseded_lock_changes_nothing()
    {
        var state = await CreateManagerAsync();
        var stale = await state.AcquireLockAsync(Guild1, "k", TimeSpan.FromMilliseconds(200), TimeSpan.Zero);
        var fresh = await state.AcquireLockAsync(Guild1, "k", s_longLease, TimeSpan.FromSeconds(20));

        await stale.ReleaseAsync();
        await stale.ReleaseAsync();

        Assert.Null(await state.TryAcquireLockAsync(Guild1, "k", s_longLease));
        await fresh.ReleaseAsync();
        Assert.NotNull(await state.TryAcquireLockAsync(Guild1, "k", s_longLease));
    }

    [Fact]
    public async Task Lock_arguments_are_validated()
    {
        var state = await CreateManagerAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await state.TryAcquireLockAsync(Guild1, "k", TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await state.TryAcquireLockAsync(Guild1, "k", TimeSpan.FromDays(2)));
        await Assert.ThrowsAsync<InvalidStateKeyException>(async () => await state.TryAcquireLockAsync(Guild1, "bad\nkey", s_longLease));
        await Assert.ThrowsAsync<ArgumentException>(async () => await state.TryAcquireLockAsync(default, "k", s_longLease));
    }

    [Fact]
    public async Task Eight_tasks_of_100_lock_protected_increments_without_versions_end_at_exactly_800()
    {
        const int tasks = 8;
        const int increments = 100;
        var state = await CreateManagerAsync();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < increments; i++)
            {
                // Mutual exclusion alone keeps the count: the write carries no expected version.
                await using var held = await state.AcquireLockAsync(Guild1, "counter", s_longLease, TimeSpan.FromSeconds(60));
                var current = await held.State.GetValueOrDefaultAsync(Guild1, "counter", 0);
                await held.State.SetAsync(Guild1, "counter", current + 1);
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(workers);

        await AssertRecordAsync(state, Guild1, "counter", tasks * increments, tasks * increments);
    }
}
