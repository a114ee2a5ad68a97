using System.Globalization;

namespace TypedState.Tests.Fixtures;

/// <summary>Runs a writing worker process and kills it with SIGKILL once it reported enough commits.</summary>
public static class WorkerKills
{
    /// <summary>
    /// Starts the worker in <paramref name="mode"/> on <paramref name="store"/> (a connection string or a worker store
    /// spec), reads its "committed N" lines until <paramref name="killAfterCommits"/> arrived, kills it with SIGKILL
    /// and returns every N it reported, including lines still in the pipe when it died.
    /// </summary>
    public static async Task<List<long>> RunAndKillAsync(string mode, string store, long firstExpected, int killAfterCommits, CancellationToken cancellationToken)
    {
        var reported = new List<long>();
        using var worker = WorkerProcess.Start(mode, store);
        try
        {
            while (reported.Count < killAfterCommits)
            {
                var line = await worker.ReadLineAsync(cancellationToken);
                if (line is null)
                {
                    await worker.WaitForExitAsync(cancellationToken);
                    await worker.StandardErrorAsync();
                    Assert.Fail($"The worker stopped after {reported.Count} commits. {worker.Describe()}");
                }

                reported.Add(ParseCommitted(line));
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Only {reported.Count} of {killAfterCommits} commits were reported in time. {worker.Describe()}");
        }

        worker.KillHard();
        await worker.WaitForExitAsync(cancellationToken);

        // Lines the worker printed before it died may still sit in the pipe: they are reported commits too.
        var rest = await worker.ReadToEndAsync(cancellationToken);
        reported.AddRange(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseCommitted));
        var stderr = await worker.StandardErrorAsync();
        Assert.True(stderr.Length == 0, $"The worker wrote to stderr before it was killed:{Environment.NewLine}{stderr}");

        // The worker numbers its transactions on from the last one on disk and reports each once, in order.
        Assert.Equal(Enumerable.Range(0, reported.Count).Select(i => firstExpected + i), reported);
        return reported;
    }

    private static long ParseCommitted(string line)
    {
        const string head = "committed ";
        Assert.True(line.StartsWith(head, StringComparison.Ordinal), $"Unexpected worker output: \"{line}\"");
        return long.Parse(line.AsSpan(head.Length), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
