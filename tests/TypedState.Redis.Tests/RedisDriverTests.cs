using StackExchange.Redis;
using TypedState.Redis;
using TypedState.Storage;
using static TypedState.Tests.Fixtures.StateListings;

namespace TypedState.Tests.Redis;

/// <summary>The Redis driver's own settings, connection ownership, paging, owner sets and server-clock leases.</summary>
public sealed class RedisDriverTests : IAsyncLifetime
{
    private RedisTestDrivers _drivers = null!;

    public async Task InitializeAsync() => _drivers = await RedisTestDrivers.StartAsync("driver");

    public Task DisposeAsync() => _drivers.DisposeAsync().AsTask();

    [Theory]
    [InlineData("")]
    [InlineData("{app}")]
    [InlineData("app}")]
    [InlineData("my app")]
    [InlineData("app*")]
    [InlineData("app?")]
    [InlineData("app[1]")]
    [InlineData("app\\")]
    [InlineData("app\n")]
    [InlineData("日本")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void A_key_prefix_that_is_empty_too_long_or_holds_special_characters_is_rejected(string prefix)
    {
        var ex = Assert.Throws<ArgumentException>(() => new RedisStateDriver(new RedisStateDriverOptions { Configuration = "127.0.0.1:1", KeyPrefix = prefix }));

        Assert.Equal("KeyPrefix", ex.ParamName);
    }

    [Theory]
    [InlineData("typedstate")]
    [InlineData("my-app_2.prod:eu/west")]
    [InlineData("A")]
    public void Key_prefixes_of_letters_digits_and_separators_are_accepted(string prefix)
    {
        var driver = new RedisStateDriver(new RedisStateDriverOptions { Configuration = "127.0.0.1:1", KeyPrefix = prefix });

        Assert.Equal(prefix, driver.KeyPrefix);
    }

    [Fact]
    public void Missing_or_malformed_configuration_and_page_or_removal_batch_sizes_out_of_range_are_rejected()
    {
        Assert.Equal("Configuration", Assert.Throws<ArgumentException>(() => new RedisStateDriver(new RedisStateDriverOptions())).ParamName);
        Assert.Equal(
            "Configuration",
            Assert.Throws<ArgumentException>(() => new RedisStateDriver(new RedisStateDriverOptions { Configuration = "127.0.0.1:1,noSuchOption=1" })).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisStateDriver(new RedisStateDriverOptions { Configuration = "127.0.0.1:1", ListPageSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisStateDriver(new RedisStateDriverOptions { Configuration = "127.0.0.1:1", RemovalBatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisStateDriver(new RedisStateDriverOptions { Configuration = "127.0.0.1:1", RemovalBatchSize = 100_001 }));
        Assert.Throws<ArgumentNullException>(() => new RedisStateDriver((RedisStateDriverOptions)null!));
    }

    [Fact]
    public async Task A_connection_passed_in_stays_open_after_the_driver_is_disposed()
    {
        var driver = _drivers.CreateDriver();
        await WriteAsync(driver, StateOwner.Global, "k");

        await driver.DisposeAsync();

        Assert.True(_drivers.Server.Connection.IsConnected);
        await _drivers.Server.Connection.GetDatabase().PingAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => driver.ReadAsync(StateOwner.Global, "k", CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task A_manager_built_from_a_configuration_string_connects_on_first_use_and_closes_its_connection()
    {
        var prefix = _drivers.NewPrefix();
        var state = new RedisStateManager(_drivers.Server.Configuration, prefix);
        await state.SetAsync(StateOwner.Guild("g"), "k", "v");
        var other = new RedisStateManager(_drivers.Server.Configuration, prefix);
        Assert.Equal("v", (await other.GetAsync<string>(StateOwner.Guild("g"), "k")).Value);

        await state.DisposeAsync();
        await other.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => state.Driver.ReadAsync(StateOwner.Guild("g"), "k", CancellationToken.None).AsTask());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Small_pages_skip_tombstones_and_continue_after_keys_deleted_or_added_between_pages(int pageSize)
    {
        var driver = _drivers.CreateDriver(pageSize);
        var owner = StateOwner.Agent("g", "a");
        for (var i = 0; i < 10; i++)
        {
            await WriteAsync(driver, owner, $"k{i}");
            await WriteAsync(driver, owner, $"k{i}-gone");
            await DeleteAsync(driver, owner, $"k{i}-gone");
        }

        var seen = new List<string>();
        await using var listing = driver.ListAsync(owner, "k", CancellationToken.None).GetAsyncEnumerator();
        while (await listing.MoveNextAsync())
        {
            seen.Add(listing.Current.Key);
            if (seen.Count == pageSize)
            {
                // Between pages: the last key listed and the next one vanish, a key after the cursor appears.
                await DeleteAsync(driver, owner, listing.Current.Key);
                await DeleteAsync(driver, owner, $"k{pageSize}");
                await WriteAsync(driver, owner, $"k{pageSize - 1}5");
            }
        }

        var expected = Enumerable.Range(0, 10).Where(i => i != pageSize).Select(i => $"k{i}").ToList();
        expected.Insert(pageSize, $"k{pageSize - 1}5");
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Lease_ends_are_measured_with_the_server_clock_and_an_expired_lock_can_be_taken_again()
    {
        var driver = _drivers.CreateDriver();
        var owner = StateOwner.Guild("locks");
        var before = DateTimeOffset.UtcNow;

        var first = await driver.TryAcquireLockAsync(owner, "k", TimeSpan.FromMilliseconds(300), "test", CancellationToken.None);

        var after = DateTimeOffset.UtcNow;
        Assert.NotNull(first);

        // Tokens never fall below the server clock in microseconds, so they outrank tokens a lost counter handed out.
        Assert.True(first.Value.Token >= before.ToUnixTimeMilliseconds() * 1000, $"token {first.Value.Token}");

        // The server shares this machine's clock, so its lease end lies within the call's window (1 ms of rounding).
        Assert.InRange(first.Value.ExpiresAt, before.AddMilliseconds(299), after.AddMilliseconds(301));
        Assert.Null(await driver.TryAcquireLockAsync(owner, "k", TimeSpan.FromSeconds(1), "test", CancellationToken.None));
        Assert.Null(await driver.TryAcquireLockAsync(owner, null, TimeSpan.FromSeconds(1), "test", CancellationToken.None));
        var other = await driver.TryAcquireLockAsync(owner, "other", TimeSpan.FromSeconds(1), "test", CancellationToken.None);
        Assert.True(other?.Token > first.Value.Token);

        // Wait (bounded) until the server's clock passes the lease end; then the key can be locked again.
        LockGrant? second = null;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (second is null && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
            second = await driver.TryAcquireLockAsync(owner, "k", TimeSpan.FromSeconds(30), "test", CancellationToken.None);
        }

        Assert.NotNull(second);
        Assert.True(second.Value.Token > other!.Value.Token);
        Assert.True(DateTimeOffset.UtcNow >= first.Value.ExpiresAt);
        Assert.Null(await driver.RenewLockAsync(owner, "k", first.Value.Token, TimeSpan.FromSeconds(1), CancellationToken.None));

        var renewed = await driver.RenewLockAsync(owner, "k", second.Value.Token, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.NotNull(renewed);
        Assert.Equal(second.Value.Token, renewed.Value.Token);
        Assert.True(renewed.Value.ExpiresAt > second.Value.ExpiresAt);

        // The stale holder's release does nothing; the current holder's frees the key.
        await driver.ReleaseLockAsync(owner, "k", first.Value.Token, CancellationToken.None);
        Assert.Null(await driver.TryAcquireLockAsync(owner, "k", TimeSpan.FromSeconds(1), "test", CancellationToken.None));
        await driver.ReleaseLockAsync(owner, "k", second.Value.Token, CancellationToken.None);
        Assert.True((await driver.TryAcquireLockAsync(owner, "k", TimeSpan.FromSeconds(1), "test", CancellationToken.None))?.Token > second.Value.Token);
    }

    [Fact]
    public async Task Fencing_tokens_keep_growing_after_the_owner_is_removed()
    {
        var driver = _drivers.CreateDriver();
        var owner = StateOwner.Agent("g", "a");
        var grant = await driver.TryAcquireLockAsync(owner, null, TimeSpan.FromMinutes(1), "test", CancellationToken.None);
        await driver.ReleaseLockAsync(owner, null, grant!.Value.Token, CancellationToken.None);
        await WriteAsync(driver, owner, "k");

        await driver.RemoveOwnerAsync(StateOwner.Guild("g"), CancellationToken.None);

        Assert.Null(await driver.ReadAsync(owner, "k", CancellationToken.None));
        var next = await driver.TryAcquireLockAsync(owner, "k", TimeSpan.FromMinutes(1), "test", CancellationToken.None);
        Assert.True(next?.Token > grant.Value.Token);
        var stale = await driver.CommitAsync([new StateWrite(owner, "k", StateWriteKind.Set, "1"u8.ToArray(), null)], [new StateFence(owner, null, grant.Value.Token)], CommitId.None, CancellationToken.None);
        Assert.Equal(CommitFailure.Fence, stale.Failure);
        Assert.Equal(next!.Value.Token, stale.ActualVersion);
    }

    [Fact]
    public async Task Owner_listing_drops_set_members_whose_owner_has_no_live_record_left()
    {
        var driver = _drivers.CreateDriver(listPageSize: 2);
        StateOwner[] owners = [StateOwner.Agent("g", "a"), StateOwner.Agent("g", "b"), StateOwner.Agent("g", "c"), StateOwner.Agent("h", "a")];
        foreach (var owner in owners)
        {
            await WriteAsync(driver, owner, "k");
        }

        // As a driver version without owner sets would leave it: g/b's records went, its member stayed.
        var keys = new RedisKeys(driver.KeyPrefix);
        var database = _drivers.Server.Connection.GetDatabase();
        Assert.True(await database.KeyDeleteAsync(keys.Index(owners[1])));

        var listed = new List<StateOwner>();
        await foreach (var owner in driver.ListOwnersAsync(Scope.Agent, CancellationToken.None))
        {
            listed.Add(owner);
        }

        Assert.Equal([owners[0], owners[2], owners[3]], listed);
        var agents = RedisKeys.Owners(keys.RootOf(owners[1]), Scope.Agent);
        Assert.Null(await database.SortedSetScoreAsync(agents, RedisKeys.OwnerMember(owners[1])));
        Assert.Equal(2, await database.SortedSetLengthAsync(agents));
    }

    [Fact]
    public async Task Owners_missing_from_the_owner_set_are_listed_again_after_their_next_set()
    {
        var driver = _drivers.CreateDriver();
        var owner = StateOwner.Guild("stored-earlier");
        await WriteAsync(driver, owner, "k1");
        var keys = new RedisKeys(driver.KeyPrefix);
        Assert.True(await _drivers.Server.Connection.GetDatabase().SortedSetRemoveAsync(RedisKeys.Owners(keys.RootOf(owner), Scope.Guild), RedisKeys.OwnerMember(owner)));
        Assert.Empty(await OwnersAsync(driver, Scope.Guild));

        await WriteAsync(driver, owner, "k1");

        Assert.Equal([owner], await OwnersAsync(driver, Scope.Guild));
    }

    [Fact]
    public async Task Owner_sets_hold_exactly_the_owners_with_live_records_after_deletes_and_removals()
    {
        var driver = _drivers.CreateDriver();
        var keys = new RedisKeys(driver.KeyPrefix);
        var database = _drivers.Server.Connection.GetDatabase();
        foreach (var owner in new[] { StateOwner.Agent("g", "a"), StateOwner.Agent("g", "b"), StateOwner.Agent("g b", "a"), StateOwner.Guild("g"), StateOwner.Guild("g b") })
        {
            await WriteAsync(driver, owner, "k");
        }

        await DeleteAsync(driver, StateOwner.Agent("g", "b"), "k");
        await driver.RemoveOwnerAsync(StateOwner.Guild("g"), CancellationToken.None);

        // Kept by the scripts themselves, without waiting for a listing to clean up.
        // Each guild's owner sets live under its own root.
        var kept = keys.RootOf(StateOwner.Guild("g b"));
        var removed = keys.RootOf(StateOwner.Guild("g"));
        Assert.Equal(["g b\0a"], (await database.SortedSetRangeByRankAsync(RedisKeys.Owners(kept, Scope.Agent))).Select(m => (string)m!));
        Assert.Equal(["g b"], (await database.SortedSetRangeByRankAsync(RedisKeys.Owners(kept, Scope.Guild))).Select(m => (string)m!));
        Assert.False(await database.KeyExistsAsync(RedisKeys.Owners(removed, Scope.Agent)));
        Assert.False(await database.KeyExistsAsync(RedisKeys.Owners(removed, Scope.Guild)));
    }

    private static async Task WriteAsync(RedisStateDriver driver, StateOwner owner, string key)
    {
        var result = await driver.CommitAsync([new StateWrite(owner, key, StateWriteKind.Set, "0"u8.ToArray(), null)], [], CommitId.None, CancellationToken.None);
        Assert.True(result.Succeeded);
    }

    private static async Task DeleteAsync(RedisStateDriver driver, StateOwner owner, string key)
    {
        var result = await driver.CommitAsync([new StateWrite(owner, key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, null)], [], CommitId.None, CancellationToken.None);
        Assert.True(result.Succeeded);
    }
}
