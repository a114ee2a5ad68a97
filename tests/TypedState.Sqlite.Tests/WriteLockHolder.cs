namespace TypedState.Tests.Sqlite;

/// <summary>
/// Another process holding SQLite's write lock on a file (the worker's <c>hold-write-lock</c> mode): started and
/// awaited until it reports the lock taken, released on request. Disposing kills it, which releases the lock too.
/// </summary>
internal sealed class WriteLockHolder : IAsyncDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private readonly WorkerProcess _worker;

    private WriteLockHolder(WorkerProcess worker) => _worker = worker;

    /// <summary>Starts the worker and returns once it holds the lock.</summary>
    public static async Task<WriteLockHolder> StartAsync(string connectionString)
    {
        var holder = new WriteLockHolder(WorkerProcess.Start("hold-write-lock", connectionString));
        await holder.ExpectAsync("locked");
        return holder;
    }

    /// <summary>Makes the worker roll back, and returns once the lock is free.</summary>
    public async Task ReleaseAsync()
    {
        await _worker.WriteLineAsync("release");
        await ExpectAsync("released");
    }

    public ValueTask DisposeAsync()
    {
        _worker.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ExpectAsync(string expected)
    {
        using var timeout = new CancellationTokenSource(s_patience);
        string? line;
        try
        {
            line = await _worker.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The lock-holding worker did not say \"{expected}\" within {s_patience.TotalSeconds} s. {_worker.Describe()}");
        }

        if (line != expected)
        {
            await _worker.WaitForExitAsync(CancellationToken.None).WaitAsync(s_patience);
            await _worker.StandardErrorAsync();
            throw new InvalidOperationException($"Expected \"{expected}\" from the lock-holding worker, got \"{line}\". {_worker.Describe()}");
        }
    }
}
