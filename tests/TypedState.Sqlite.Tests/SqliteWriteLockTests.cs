using System.Diagnostics;
using TypedState.Sqlite;
using Xunit.Abstractions;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Another process holds SQLite's write lock: writes wait for it without holding threads, honour their cancellation
/// token while they wait, and give up after <see cref="SqliteStateDriverOptions.BusyTimeout"/> with an error that
/// says what happened. Each call runs under Task.Run and is bounded, so a write that blocks its caller's thread
/// fails the test instead of hanging it.
/// </summary>
[Collection(TimingTestGroup.Name)]
public sealed class SqliteWriteLockTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _directory = new();

    private string ConnectionString => _directory.ConnectionString();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_write_waiting_for_another_process_lock_returns_when_its_token_fires_and_applies_nothing()
    {
        await using var state = Open();
        await state.SetAsync(StateOwner.Global, "k", "before");
        await using var holder = await WriteLockHolder.StartAsync(ConnectionString);

        using var token = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();
        var write = Task.Run(async () => await state.SetAsync(StateOwner.Global, "k", "during", cancellationToken: token.Token));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(s_bound));
        var returnedAfter = clock.Elapsed;
        output.WriteLine($"returned after {returnedAfter.TotalMilliseconds:F0} ms");
        Assert.True(returnedAfter < TimeSpan.FromSeconds(2), $"The cancelled write returned after {returnedAfter.TotalMilliseconds:F0} ms.");

        await holder.ReleaseAsync();
        var after = await state.GetAsync<string>(StateOwner.Global, "k");
        Assert.Equal(("before", 1L), (after.Value, after.Version));
        Assert.Equal(2, await state.SetAsync(StateOwner.Global, "k", "after").AsTask().WaitAsync(s_bound));
    }

    [Fact]
    public async Task A_lock_held_beyond_the_busy_timeout_gives_an_error_naming_the_timeout_and_the_lock_and_nothing_is_applied()
    {
        await using var state = Open(busyTimeout: TimeSpan.FromSeconds(1));
        await state.SetAsync(StateOwner.Guild("g"), "k", "before");
        await using var holder = await WriteLockHolder.StartAsync(ConnectionString);

        var clock = Stopwatch.StartNew();
        var write = Task.Run(async () => await state.SetAsync(StateOwner.Guild("g"), "k", "during"));

        var error = await Assert.ThrowsAsync<StateDriverException>(() => write.WaitAsync(s_bound));
        var returnedAfter = clock.Elapsed;
        output.WriteLine($"returned after {returnedAfter.TotalMilliseconds:F0} ms: {error.Message}");
        Assert.InRange(returnedAfter, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
        Assert.Equal((Scope.Guild, "k"), (error.Scope, error.Key));
        Assert.Contains("locked by another connection or process", error.Message, StringComparison.Ordinal);
        Assert.Contains("BusyTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was stored", error.Message, StringComparison.Ordinal);

        await holder.ReleaseAsync();
        Assert.Equal("before", (await state.GetAsync<string>(StateOwner.Guild("g"), "k")).Value);
    }

    [Fact]
    public async Task Forty_writers_waiting_for_another_process_lock_leave_the_thread_pool_free()
    {
        const int writerCount = 40;
        await using var state = Open();
        await state.SetAsync(StateOwner.Global, "warm-up", 0);
        await using var holder = await WriteLockHolder.StartAsync(ConnectionString);

        var writers = Enumerable.Range(0, writerCount)
            .Select(i => Task.Run(async () => await state.SetAsync(StateOwner.Agent("g", $"a{i}"), "k", i)))
            .ToArray();

        // While they wait, work queued to the thread pool must run at once and timers fire on time: one Task.Run
        // probe, then 10 timers of 50 ms, each measured for lateness. Writers that each held a thread would leave
        // every probe waiting for the pool to add one (about a second each); one late probe can be machine noise.
        var queued = Stopwatch.StartNew();
        var lateness = new List<TimeSpan> { await Task.Run(() => queued.Elapsed) };
        for (var probe = 0; probe < 10; probe++)
        {
            var clock = Stopwatch.StartNew();
            await Task.Delay(50);
            lateness.Add(clock.Elapsed - TimeSpan.FromMilliseconds(50));
        }

        lateness.Sort();
        var (median, worst) = (lateness[lateness.Count / 2], lateness[^1]);
        output.WriteLine($"lateness while {writerCount} writers waited: median {median.TotalMilliseconds:F0} ms, worst {worst.TotalMilliseconds:F0} ms; {ThreadPool.ThreadCount} pool threads");
        Assert.True(median < TimeSpan.FromMilliseconds(100), $"The thread pool or a 50 ms timer ran {median.TotalMilliseconds:F0} ms late (median) while the writers waited.");
        Assert.True(worst < TimeSpan.FromSeconds(1), $"The thread pool or a 50 ms timer ran {worst.TotalMilliseconds:F0} ms late while the writers waited.");
        Assert.All(writers, w => Assert.False(w.IsCompleted, "A write completed while another process held the lock."));

        await holder.ReleaseAsync();
        var versions = await Task.WhenAll(writers).WaitAsync(s_bound);
        Assert.All(versions, v => Assert.Equal(1, v));
        for (var i = 0; i < writerCount; i++)
        {
            Assert.Equal(i, (await state.GetAsync<int>(StateOwner.Agent("g", $"a{i}"), "k")).Value);
        }
    }

    private SqliteStateManager Open(TimeSpan? busyTimeout = null)
    {
        var options = new SqliteStateDriverOptions { ConnectionString = ConnectionString };
        if (busyTimeout is { } timeout)
        {
            options.BusyTimeout = timeout;
        }

        return new SqliteStateManager(options);
    }
}
