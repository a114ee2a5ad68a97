using System.Globalization;
using TypedState.Sqlite;

namespace TypedState.TestWorker;

/// <summary>Endless multi-scope transactions, each announced on stdout only after its commit returned.</summary>
internal static class TransactionsMode
{
    public static async Task RunAsync(string connectionString)
    {
        var manager = new SqliteStateManager(connectionString);
        await using (manager.ConfigureAwait(false))
        {
            // Continue after whatever a previous run committed; "last" is written once per transaction, so its
            // version is the number of transactions so far.
            var last = await manager.GetAsync<long>(StateOwner.Global, WorkerState.LastKey).ConfigureAwait(false);
            var lastVersion = last.Version;
            for (var n = last.Exists ? last.Value + 1 : 1; ; n++)
            {
                var id = n.ToString(CultureInfo.InvariantCulture);
                var transaction = await manager.BeginTransactionAsync().ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // Every write is conditional, so a driver that lost or duplicated a commit makes this fail loudly.
                    await transaction.SetAsync(WorkerState.Agent, $"tx/{id}/a", $"{id}/a", expectedVersion: 0).ConfigureAwait(false);
                    await transaction.SetAsync(WorkerState.Guild, $"tx/{id}/b", $"{id}/b", expectedVersion: 0).ConfigureAwait(false);
                    await transaction.SetAsync(StateOwner.Global, $"tx/{id}/c", $"{id}/c", expectedVersion: 0).ConfigureAwait(false);
                    await transaction.SetAsync(StateOwner.Global, WorkerState.LastKey, n, expectedVersion: lastVersion).ConfigureAwait(false);
                    await transaction.CommitAsync().ConfigureAwait(false);
                }

                lastVersion++;
                await Console.Out.WriteLineAsync($"committed {id}").ConfigureAwait(false);
                await Console.Out.FlushAsync().ConfigureAwait(false);
            }
        }
    }
}
