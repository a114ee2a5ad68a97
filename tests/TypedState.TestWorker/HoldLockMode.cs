namespace TypedState.TestWorker;

/// <summary>Takes a lock with a short lease, says so, and then waits to be killed without releasing it.</summary>
internal static class HoldLockMode
{
    public static async Task RunAsync(string spec, string key, int leaseMilliseconds)
    {
        var manager = StoreSpec.Open(spec);
        await using (manager.ConfigureAwait(false))
        {
            var held = await manager.AcquireLockAsync(StateOwner.Global, key, TimeSpan.FromMilliseconds(leaseMilliseconds), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"held {held.FencingToken}").ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);

            // Block until killed (or stdin closes); the lock is deliberately never released.
            await Console.In.ReadToEndAsync().ConfigureAwait(false);
        }
    }
}
