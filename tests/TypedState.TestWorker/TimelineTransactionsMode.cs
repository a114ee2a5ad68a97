using System.Globalization;
using TypedState.Timeline;

namespace TypedState.TestWorker;

/// <summary>
/// Endless transactions on a guild that keeps a timeline, each announced on stdout only after its commit returned:
/// transaction N writes agent "tx/N/a", guild "tx/N/b" and guild "last" = N, and appends the event "evt-N".
/// </summary>
internal static class TimelineTransactionsMode
{
    public static async Task RunAsync(string store)
    {
        var manager = StoreSpec.Open(store);
        await using (manager.ConfigureAwait(false))
        {
            // Starting an already started timeline returns it: a later run continues the same log.
            await manager.Timelines.StartAsync(WorkerState.GuildId).ConfigureAwait(false);
            var last = await manager.GetAsync<long>(WorkerState.Guild, WorkerState.LastKey).ConfigureAwait(false);
            var lastVersion = last.Version;
            for (var n = last.Exists ? last.Value + 1 : 1; ; n++)
            {
                var id = n.ToString(CultureInfo.InvariantCulture);
                var transaction = await manager.BeginTransactionAsync().ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await transaction.SetAsync(WorkerState.Agent, $"tx/{id}/a", $"{id}/a", expectedVersion: 0).ConfigureAwait(false);
                    await transaction.SetAsync(WorkerState.Guild, $"tx/{id}/b", $"{id}/b", expectedVersion: 0).ConfigureAwait(false);
                    await transaction.SetAsync(WorkerState.Guild, WorkerState.LastKey, n, expectedVersion: lastVersion).ConfigureAwait(false);
                    transaction.Append(WorkerState.Agent, n, $"evt-{id}");
                    await transaction.CommitAsync().ConfigureAwait(false);
                }

                lastVersion++;
                await Console.Out.WriteLineAsync($"committed {id}").ConfigureAwait(false);
                await Console.Out.FlushAsync().ConfigureAwait(false);
            }
        }
    }
}
