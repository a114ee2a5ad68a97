namespace TypedState.Testing;

// Listing held locks: what operators see of the store's locks, paged, by scope, with holders.
public abstract partial class StateStoreConformanceTests
{
    private static readonly TimeSpan s_shortLease = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Held_locks_are_listed_with_owner_key_token_lease_end_and_holder()
    {
        var state = await CreateManagerAsync(new StateManagerOptions { LockHolder = "worker-7" });
        await using var keyLock = await state.AcquireLockAsync(Agent1, "a", s_longLease, TimeSpan.Zero);
        await using var ownerLock = await state.AcquireLockAsync(Guild1, null, s_longLease, TimeSpan.Zero);
        await using var globalLock = await state.AcquireLockAsync(StateOwner.Global, "g", s_longLease, TimeSpan.Zero);

        // Another process's manager over the same store records the default holder: machine name and process id.
        var other = CreateManagerOver(state.Driver);
        await using var otherLock = await other.AcquireLockAsync(Agent2, "b", s_longLease, TimeSpan.Zero);

        var listed = await ListLocksAsync(other, null);
        Assert.Equal(4, listed.Count);
        AssertListed(listed, keyLock, "worker-7");
        AssertListed(listed, ownerLock, "worker-7");
        AssertListed(listed, globalLock, "worker-7");
        AssertListed(listed, otherLock, $"{Environment.MachineName}:{Environment.ProcessId}");

        // A renewal moves the lease end and keeps the holder.
        await keyLock.RenewAsync(TimeSpan.FromMinutes(5));
        AssertListed(await ListLocksAsync(state, null), keyLock, "worker-7");
    }

    [Fact]
    public async Task Released_and_expired_locks_are_not_listed()
    {
        var state = await CreateManagerAsync();
        var released = await state.AcquireLockAsync(Agent1, "released", s_longLease, TimeSpan.Zero);
        await released.ReleaseAsync();
        var expired = await state.AcquireLockAsync(Guild1, "expired", s_shortLease, TimeSpan.Zero);

        // The owner lock conflicts with every held lock of the owner: granted, it shows the key lock expired.
        await using var ownerLock = await state.AcquireLockAsync(Guild1, null, s_longLease, TimeSpan.FromSeconds(20));

        var listed = Assert.Single(await ListLocksAsync(state, null));
        Assert.Equal((Guild1, null, ownerLock.FencingToken), (listed.Owner, listed.Key, listed.Token));
        Assert.True(ownerLock.FencingToken > expired.FencingToken);

        await ownerLock.ReleaseAsync();
        Assert.Empty(await ListLocksAsync(state, null));
    }

    [Fact]
    public async Task Listing_locks_by_scope_shows_only_that_scope()
    {
        var state = await CreateManagerAsync();
        await using var agentLock = await state.AcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.Zero);
        await using var guildLock = await state.AcquireLockAsync(Guild2, "k", s_longLease, TimeSpan.Zero);
        await using var globalLock = await state.AcquireLockAsync(StateOwner.Global, null, s_longLease, TimeSpan.Zero);

        Assert.Equal([Agent1], (await ListLocksAsync(state, Scope.Agent)).Select(held => held.Owner));
        Assert.Equal([Guild2], (await ListLocksAsync(state, Scope.Guild)).Select(held => held.Owner));
        Assert.Equal([StateOwner.Global], (await ListLocksAsync(state, Scope.Global)).Select(held => held.Owner));
    }

    [Fact]
    public async Task Listing_locks_pages_through_more_locks_than_one_page()
    {
        var state = await CreateManagerWithPageSizeAsync(2);
        var held = new List<IStateLock>();
        foreach (var (owner, key) in new (StateOwner, string?)[]
                 {
                     (Agent1, "a"), (Agent1, "b"), (Agent1, "c"), (Agent2, null), (StateOwner.Agent(G2, A1), "a"),
                     (Guild1, "x"), (Guild2, null), (StateOwner.Guild("guild-3"), "y"), (StateOwner.Global, "g"),
                 })
        {
            held.Add(await state.AcquireLockAsync(owner, key, s_longLease, TimeSpan.Zero));
        }

        var listed = await ListLocksAsync(state, null);
        Assert.Equal(held.Count, listed.Count);
        foreach (var one in held)
        {
            AssertListed(listed, one, null);
        }

        Assert.Equal(5, (await ListLocksAsync(state, Scope.Agent)).Count);
        Assert.Equal(3, (await ListLocksAsync(state, Scope.Guild)).Count);
        foreach (var one in held)
        {
            await one.ReleaseAsync();
        }

        Assert.Empty(await ListLocksAsync(state, null));
    }

    private static async Task<List<HeldLock>> ListLocksAsync(StateManager state, Scope? scope)
    {
        var listed = new List<HeldLock>();
        await foreach (var held in state.ListLocksAsync(scope))
        {
            listed.Add(held);
        }

        return listed;
    }

    /// <summary>
    /// The lock is listed once, with its token, its lease end (to the millisecond a driver may store) and, unless
    /// <paramref name="holder"/> is null, that holder.
    /// </summary>
    private static void AssertListed(List<HeldLock> listed, IStateLock expected, string? holder)
    {
        var found = Assert.Single(listed, held => held.Owner == expected.Owner && held.Key == expected.Key);
        Assert.Equal(expected.FencingToken, found.Token);
        Assert.InRange(found.ExpiresAt, expected.ExpiresAt.AddMilliseconds(-1), expected.ExpiresAt.AddMilliseconds(1));
        if (holder is not null)
        {
            Assert.Equal(holder, found.Holder);
        }
    }
}
