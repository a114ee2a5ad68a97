using System.Diagnostics;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_waiting_try_returns_null_once_its_wait_is_over_and_the_lock_stays_with_its_holder()
    {
        var state = await CreateManagerAsync();
        await using var held = await state.AcquireLockAsync(Agent1, "job", s_longLease, TimeSpan.Zero);
        var wait = TimeSpan.FromMilliseconds(300);

        var started = Stopwatch.GetTimestamp();
        var late = await state.TryAcquireLockAsync(Agent1, "job", s_longLease, wait);
        var waited = Stopwatch.GetElapsedTime(started);

        Assert.Null(late);
        Assert.True(waited >= wait - TimeSpan.FromMilliseconds(20), $"gave up after {waited.TotalMilliseconds} ms");
        Assert.Null(await state.TryAcquireLockAsync(Agent1, "job", s_longLease, TimeSpan.Zero));
        var holders = new List<long>();
        await foreach (var listed in state.ListLocksAsync(Scope.Agent))
        {
            holders.Add(listed.Token);
        }

        Assert.Equal([held.FencingToken], holders);
    }

    [Fact]
    public async Task A_waiting_try_gets_the_lock_when_its_holder_releases_it()
    {
        var state = await CreateManagerAsync();
        var held = await state.AcquireLockAsync(Agent1, null, s_longLease, TimeSpan.Zero);

        var waiting = state.TryAcquireLockAsync(Agent1, null, s_longLease, TimeSpan.FromSeconds(30)).AsTask();
        Assert.False(waiting.IsCompleted);
        await held.ReleaseAsync();
        await using var got = await waiting;

        Assert.NotNull(got);
        Assert.True(got.FencingToken > held.FencingToken);
        Assert.Null(got.Key);
    }

    [Fact]
    public async Task A_waiting_try_gets_the_lock_when_the_holders_lease_runs_out_and_the_old_holder_is_fenced_out()
    {
        var state = await CreateManagerAsync();
        var expiring = await state.AcquireLockAsync(Agent1, "k", TimeSpan.FromMilliseconds(300), TimeSpan.Zero);

        await using var got = await state.TryAcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.FromSeconds(30));

        Assert.NotNull(got);
        Assert.True(got.FencingToken > expiring.FencingToken);
        await got.State.SetAsync(Agent1, "k", 1);
        var fenced = await Assert.ThrowsAsync<StateLockException>(() => expiring.State.SetAsync(Agent1, "k", 2).AsTask());
        Assert.Equal(StateLockFailure.FencedOut, fenced.Failure);
        await AssertRecordAsync(state, Agent1, "k", 1, 1);
    }

    [Fact]
    public async Task A_waiting_try_ends_with_a_cancellation_when_its_token_fires()
    {
        var state = await CreateManagerAsync();
        await using var held = await state.AcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.Zero);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var started = Stopwatch.GetTimestamp();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.TryAcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.FromMinutes(5), cancellation.Token).AsTask());

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(1));
        Assert.Null(await state.TryAcquireLockAsync(Agent1, "k", s_longLease));
    }

    [Fact]
    public async Task A_waiting_try_with_no_wait_answers_at_once_and_a_negative_wait_is_refused()
    {
        var state = await CreateManagerAsync();

        await using var free = await state.TryAcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.Zero);
        var busy = await state.TryAcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.Zero);

        Assert.NotNull(free);
        Assert.Null(busy);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.TryAcquireLockAsync(Agent1, "k", s_longLease, TimeSpan.FromSeconds(-1)).AsTask());
    }
}
