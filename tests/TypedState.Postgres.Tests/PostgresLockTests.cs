using Npgsql;
using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>
/// Locks across separate connection pools (as separate processes have): leases by the database clock, tokens
/// shared by every client of a schema, exclusion under racing acquisitions, and a newer grant that waits for a
/// fenced commit already under way.
/// </summary>
public sealed class PostgresLockTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Leases_are_measured_by_the_database_clock()
    {
        await using var state = new PostgresStateManager(_server.ConnectionString, _schemas.New("clock"));
        var lease = TimeSpan.FromMinutes(10);
        await state.GetAsync<int>(StateOwner.Global, "warm-up");

        var before = await DatabaseNowAsync();
        await using var held = await state.AcquireLockAsync(StateOwner.Global, "k", lease, TimeSpan.Zero);
        var after = await DatabaseNowAsync();

        Assert.InRange(held.ExpiresAt, before + lease, after + lease);
        await held.RenewAsync(TimeSpan.FromMinutes(20));
        Assert.InRange(held.ExpiresAt, after + TimeSpan.FromMinutes(20), await DatabaseNowAsync() + TimeSpan.FromMinutes(20));
    }

    [Fact]
    public async Task Clients_of_one_schema_share_exclusion_and_one_growing_token_sequence_per_owner()
    {
        var schema = _schemas.New("shared");
        await using var first = new PostgresStateManager(_server.ConnectionStringWith("ts-lock-first"), schema);
        await using var second = new PostgresStateManager(_server.ConnectionStringWith("ts-lock-second"), schema);
        var owner = StateOwner.Guild("g");

        var ownerLock = await first.TryAcquireLockAsync(owner, null, TimeSpan.FromMinutes(1));
        Assert.NotNull(ownerLock);
        Assert.Null(await second.TryAcquireLockAsync(owner, "k", TimeSpan.FromMinutes(1)));
        await ownerLock.ReleaseAsync();

        var tokens = new List<long> { ownerLock.FencingToken };
        for (var i = 0; i < 6; i++)
        {
            var state = i % 2 == 0 ? second : first;
            await using var held = await state.AcquireLockAsync(owner, $"k{i % 3}", TimeSpan.FromMinutes(1), TimeSpan.Zero);
            tokens.Add(held.FencingToken);
        }

        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), tokens);

        // A lock taken through the other client fences out the first holder's writes.
        var stale = await first.AcquireLockAsync(owner, "k", TimeSpan.FromMinutes(1), TimeSpan.Zero);
        Assert.Null(await second.TryAcquireLockAsync(owner, null, TimeSpan.FromMinutes(1)));
        await stale.ReleaseAsync();
        await using var current = await second.AcquireLockAsync(owner, null, TimeSpan.FromMinutes(1), TimeSpan.Zero);
        var fenced = await Assert.ThrowsAsync<StateLockException>(async () => await stale.State.SetAsync(owner, "k", 1));
        Assert.Equal(StateLockFailure.FencedOut, fenced.Failure);
        Assert.Equal(1, await current.State.SetAsync(owner, "k", 2));
    }

    [Fact]
    public async Task Racing_acquisitions_of_an_owner_lock_and_key_locks_from_separate_pools_never_overlap()
    {
        const int rounds = 12;
        var schema = _schemas.New("race");
        var managers = Enumerable.Range(0, 8).Select(i => new PostgresStateManager(_server.ConnectionStringWith($"ts-race-{i}"), schema)).ToList();
        try
        {
            var owner = StateOwner.Agent("g", "a");
            await managers[0].GetAsync<int>(owner, "warm-up");
            var lastToken = 0L;
            for (var round = 0; round < rounds; round++)
            {
                // Four contenders want the owner lock, four want one key each: either one owner lock is granted and
                // nothing else, or no owner lock and all four key locks.
                var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var attempts = managers.Select((state, i) => Task.Run(async () =>
                {
                    await start.Task;
                    return (Owner: i < 4, Lock: await state.TryAcquireLockAsync(owner, i < 4 ? null : $"k{i}", TimeSpan.FromMinutes(1)));
                })).ToList();
                start.SetResult();
                var outcomes = await Task.WhenAll(attempts);

                var granted = outcomes.Where(o => o.Lock is not null).ToList();
                var ownerGrants = granted.Count(o => o.Owner);
                Assert.True(
                    (ownerGrants == 1 && granted.Count == 1) || (ownerGrants == 0 && granted.Count == 4),
                    $"round {round}: {ownerGrants} owner locks and {granted.Count - ownerGrants} key locks were granted together");
                var tokens = granted.Select(o => o.Lock!.FencingToken).Order().ToList();
                Assert.Equal(Enumerable.Range(1, tokens.Count).Select(i => lastToken + i), tokens);
                lastToken = tokens[^1];
                foreach (var (_, held) in granted)
                {
                    await held!.ReleaseAsync();
                }
            }
        }
        finally
        {
            foreach (var state in managers)
            {
                await state.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_newer_grant_waits_for_a_fenced_commit_under_way_which_then_applies_before_it()
    {
        var schema = _schemas.New("fence_wait");
        var holderApp = "ts-holder-" + Guid.NewGuid().ToString("N")[..12];
        var takerApp = "ts-taker-" + Guid.NewGuid().ToString("N")[..12];
        await using var holder = new PostgresStateManager(_server.ConnectionStringWith(holderApp), schema);
        await using var taker = new PostgresStateManager(_server.ConnectionStringWith(takerApp), schema);
        var owner = StateOwner.Guild("g");
        await holder.SetAsync(owner, "k", 0);

        // The holder's fenced write passes its fence check and then waits inside its transaction for a row lock.
        var held = await holder.AcquireLockAsync(owner, "k", TimeSpan.FromMilliseconds(300), TimeSpan.Zero);
        await using var blocker = await _server.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = 'k' FOR UPDATE", blocker, blocking))
        {
            await hold.ExecuteScalarAsync();
        }

        var write = held.State.SetAsync(owner, "k", 1).AsTask();
        await _server.WaitForBackendAsync(holderApp, "wait_event_type = 'Lock' AND wait_event = 'transactionid'");

        // Once the lease has run out, another client may take the lock — but only after the fenced commit ends.
        await WaitUntilExpiredAsync(schema, held.FencingToken);
        var take = taker.TryAcquireLockAsync(owner, "k", TimeSpan.FromMinutes(1)).AsTask();
        await _server.WaitForBackendAsync(takerApp, "wait_event_type = 'Lock' AND wait_event = 'advisory'");
        Assert.False(take.IsCompleted);
        Assert.False(write.IsCompleted);

        await blocking.RollbackAsync();
        Assert.Equal(2, await write);
        var newer = await take;
        Assert.NotNull(newer);
        Assert.Equal(held.FencingToken + 1, newer.FencingToken);

        // From now on the old holder is fenced out, and the new one writes on top of its commit.
        await Assert.ThrowsAsync<StateLockException>(async () => await held.State.SetAsync(owner, "k", 9));
        Assert.Equal(3, await newer.State.SetAsync(owner, "k", 2, expectedVersion: 2));
    }

    private async Task<DateTimeOffset> DatabaseNowAsync() =>
        new((DateTime)(await _server.ScalarAsync("SELECT clock_timestamp()"))!);

    /// <summary>Polls (bounded) until the lease of the lock granted with <paramref name="token"/> has ended by the database clock.</summary>
    private async Task WaitUntilExpiredAsync(string schema, long token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await _server.ScalarAsync($"SELECT expires_at > clock_timestamp() FROM \"{schema}\".locks WHERE token = {token}") is true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the lease did not run out within 30 s");
            await Task.Delay(20);
        }
    }
}
