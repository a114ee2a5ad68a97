using System.Diagnostics;
using System.Globalization;
using TypedState.TestWorker;

namespace TypedState.Tests.Fixtures;

/// <summary>
/// Four OS processes × 500 increments of one counter in one store, once with optimistic retries and once under
/// pessimistic locks: exactly 2,000 either way. Plus a lock holder killed mid-lease: its lease expires and
/// the next process gets the lock with a newer token. Each store's class only says how to reach a fresh store.
/// </summary>
public abstract class MultiProcessCounterTests
{
    private const int Workers = 4;
    private const int IncrementsPerWorker = 500;

    /// <summary>A worker store argument (see the worker's StoreSpec) naming a fresh, empty store.</summary>
    protected abstract Task<string> CreateStoreSpecAsync();

    [Theory]
    [InlineData("increment")]
    [InlineData("lock-increment")]
    public async Task Four_processes_of_500_increments_end_at_exactly_2000(string mode)
    {
        var spec = await CreateStoreSpecAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var workers = new List<WorkerProcess>();
        try
        {
            for (var i = 0; i < Workers; i++)
            {
                workers.Add(WorkerProcess.Start(mode, spec, "counter", IncrementsPerWorker.ToString(CultureInfo.InvariantCulture)));
            }

            foreach (var worker in workers)
            {
                Assert.True(await worker.ReadLineAsync(timeout.Token) == "ready", $"A worker did not start. {await DescribeAsync(worker)}");
            }

            foreach (var worker in workers)
            {
                await worker.WriteLineAsync("go");
            }

            var written = new List<long>();
            foreach (var worker in workers)
            {
                var line = await worker.ReadLineAsync(timeout.Token);
                await worker.WaitForExitAsync(timeout.Token);
                Assert.True(worker.ExitCode == 0 && line is not null && line.StartsWith("done ", StringComparison.Ordinal), $"Got \"{line}\". {await DescribeAsync(worker)}");
                var pairs = line!.Split(' ')[2]["values=".Length..].Split(',');
                Assert.Equal(IncrementsPerWorker, pairs.Length);
                foreach (var pair in pairs)
                {
                    var parts = pair.Split(':');
                    Assert.Equal(parts[0], parts[1]); // the counter is only ever incremented: value == version
                    written.Add(long.Parse(parts[0], CultureInfo.InvariantCulture));
                }
            }

            // Every process's writes together are exactly 1..2000: none lost, none applied twice.
            Assert.Equal(Enumerable.Range(1, Workers * IncrementsPerWorker).Select(v => (long)v), written.Order());
            await using var state = StoreSpec.Open(spec);
            var counter = await state.GetAsync<long>(StateOwner.Global, "counter");
            Assert.Equal(Workers * IncrementsPerWorker, counter.Value);
            Assert.Equal(Workers * IncrementsPerWorker, counter.Version);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_killed_lock_holders_lease_expires_and_its_late_writes_are_fenced_out()
    {
        const int leaseMs = 5000;
        var spec = await CreateStoreSpecAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var state = StoreSpec.Open(spec);
        using var holder = WorkerProcess.Start("hold-lock", spec, "job", leaseMs.ToString(CultureInfo.InvariantCulture));
        var line = await holder.ReadLineAsync(timeout.Token);
        var sinceHeld = Stopwatch.StartNew();
        Assert.True(line is not null && line.StartsWith("held ", StringComparison.Ordinal), $"Got \"{line}\". {holder.Describe()}");
        var crashedToken = long.Parse(line!["held ".Length..], CultureInfo.InvariantCulture);

        holder.KillHard();
        await holder.WaitForExitAsync(timeout.Token);

        // Killing the holder does not free the lock. This can only be observed while the lease surely runs: the
        // lease started before "held" was read, so allow half of it for that line to arrive (on a machine so loaded
        // that more time has passed, the lease may have ended; the fencing below is checked either way).
        var attempt = await state.TryAcquireLockAsync(StateOwner.Global, "job", TimeSpan.FromSeconds(30));
        if (sinceHeld.ElapsedMilliseconds < leaseMs / 2)
        {
            Assert.Null(attempt);
        }
        else if (attempt is not null)
        {
            await attempt.DisposeAsync();
        }

        // Nobody releases the dead holder's lock: the lease alone ends it.
        await using var next = await state.AcquireLockAsync(StateOwner.Global, "job", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), timeout.Token);
        Assert.True(next.FencingToken > crashedToken);

        // Whatever the dead holder might still have had in flight carries its old token and is refused.
        var stale = state.WithFence(new Storage.StateFence(StateOwner.Global, "job", crashedToken));
        var refused = await Assert.ThrowsAsync<StateLockException>(async () => await stale.SetAsync(StateOwner.Global, "job", "late"));
        Assert.Equal(StateLockFailure.FencedOut, refused.Failure);
        Assert.False((await state.GetAsync<string>(StateOwner.Global, "job")).Exists);
    }

    private static async Task<string> DescribeAsync(WorkerProcess worker)
    {
        if (worker.HasExited)
        {
            await worker.StandardErrorAsync();
        }

        return worker.Describe();
    }
}
