using System.Diagnostics;
using System.Globalization;
using TypedState.Sqlite;
using Xunit.Abstractions;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Several OS processes share one SQLite file: optimistic increments from all of them must neither be lost
/// nor fail, which needs the driver's version checks and its locking to work across processes, not just threads.
/// </summary>
public sealed class SqliteMultiProcessTests(ITestOutputHelper output)
{
    private const int Workers = 4;
    private const int IncrementsPerWorker = 250;
    private const string CounterKey = "counter";

    [Fact]
    public async Task Four_processes_incrementing_one_counter_lose_no_update()
    {
        using var temp = new TempDirectory();
        var connectionString = temp.ConnectionString();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();

        var workers = new List<WorkerProcess>();
        try
        {
            // All four open the fresh file at once (racing the schema creation), then start incrementing together.
            for (var i = 0; i < Workers; i++)
            {
                workers.Add(WorkerProcess.Start("increment", connectionString, CounterKey, IncrementsPerWorker.ToString(CultureInfo.InvariantCulture)));
            }

            foreach (var worker in workers)
            {
                var line = await ReadLineOrFailAsync(worker, timeout.Token);
                if (line != "ready")
                {
                    Assert.Fail($"Expected \"ready\", got \"{line}\". {await DescribeAsync(worker)}");
                }
            }

            var startup = clock.Elapsed;
            foreach (var worker in workers)
            {
                await worker.WriteLineAsync("go");
            }

            var results = new List<string>();
            foreach (var worker in workers)
            {
                var line = await ReadLineOrFailAsync(worker, timeout.Token);
                await WaitForExitOrFailAsync(worker, timeout.Token);
                if (worker.ExitCode != 0 || line is null || !line.StartsWith("done ", StringComparison.Ordinal))
                {
                    Assert.Fail($"Expected \"done ...\" and exit code 0, got \"{line}\". {await DescribeAsync(worker)}");
                }

                results.Add(line);
            }

            // Every successful write stored a distinct value, and together they are exactly 1..1000, each at the
            // version equal to the value (the counter is written by increments only): no lost and no double update.
            var written = new List<(long Value, long Version, int Worker)>();
            long attempts = 0;
            for (var w = 0; w < results.Count; w++)
            {
                var (workerAttempts, pairs) = ParseDone(results[w]);
                attempts += workerAttempts;
                Assert.Equal(IncrementsPerWorker, pairs.Count);
                Assert.True(pairs.Zip(pairs.Skip(1)).All(p => p.First.Value < p.Second.Value), "One worker's writes must see a growing counter.");
                written.AddRange(pairs.Select(p => (p.Value, p.Version, w)));
            }

            Assert.All(written, w => Assert.Equal(w.Value, w.Version));
            var inOrder = written.OrderBy(w => w.Value).ToList();
            Assert.Equal(Enumerable.Range(1, Workers * IncrementsPerWorker).Select(v => (long)v), inOrder.Select(w => w.Value));

            // The precondition of the whole test: the processes really raced, so some write found the counter changed
            // by another process since it read it, and was retried. (How often the counter changes hands is only
            // reported: SQLite's busy handler lets the process holding the write lock take it again while a waiter
            // sleeps, so the workers largely run in turns.)
            var conflicts = attempts - (Workers * IncrementsPerWorker);
            var handovers = inOrder.Zip(inOrder.Skip(1)).Count(p => p.First.Worker != p.Second.Worker);
            Assert.True(conflicts > 0, $"No write conflicted: the workers did not run concurrently (the counter changed hands {handovers} times).");

            await using (var manager = new SqliteStateManager(connectionString))
            {
                var counter = await manager.GetAsync<long>(StateOwner.Global, CounterKey);
                Assert.True(counter.Exists);
                Assert.Equal(Workers * IncrementsPerWorker, counter.Value);
                Assert.Equal(Workers * IncrementsPerWorker, counter.Version);
            }

            output.WriteLine(
                $"{Workers} workers x {IncrementsPerWorker} increments: startup {startup.TotalMilliseconds:F0} ms, " +
                $"total {clock.Elapsed.TotalMilliseconds:F0} ms, {attempts} attempts ({conflicts} conflicts retried), " +
                $"counter changed hands {handovers} times.");
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    private static async Task<string?> ReadLineOrFailAsync(WorkerProcess worker, CancellationToken cancellationToken)
    {
        try
        {
            return await worker.ReadLineAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out waiting for output of worker {worker.Id}.");
            throw;
        }
    }

    private static async Task WaitForExitOrFailAsync(WorkerProcess worker, CancellationToken cancellationToken)
    {
        try
        {
            await worker.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out waiting for worker {worker.Id} to exit.");
            throw;
        }
    }

    /// <summary>The worker's exit code and stderr, for a failure message (only call it when failing: it may wait).</summary>
    private static async Task<string> DescribeAsync(WorkerProcess worker)
    {
        if (!worker.HasExited)
        {
            // Give a failing worker the chance to finish writing its error before it is reported.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await worker.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                return worker.Describe();
            }
        }

        await worker.StandardErrorAsync();
        return worker.Describe();
    }

    /// <summary>Parses "done attempts=A values=v:ver,v:ver,...".</summary>
    private static (long Attempts, List<(long Value, long Version)> Written) ParseDone(string line)
    {
        var parts = line.Split(' ');
        Assert.Equal(3, parts.Length);
        var attempts = long.Parse(parts[1]["attempts=".Length..], CultureInfo.InvariantCulture);
        var written = parts[2]["values=".Length..]
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                return (long.Parse(pair[..colon], CultureInfo.InvariantCulture), long.Parse(pair[(colon + 1)..], CultureInfo.InvariantCulture));
            })
            .ToList();
        return (attempts, written);
    }
}
