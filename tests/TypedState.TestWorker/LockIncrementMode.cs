using System.Globalization;
using System.Text;

namespace TypedState.TestWorker;

/// <summary>
/// Pessimistic increments of one global counter: take the key lock, read, write without an expected version,
/// release. Only mutual exclusion (and fencing) keeps the count exact.
/// </summary>
internal static class LockIncrementMode
{
    public static async Task RunAsync(string spec, string key, int count)
    {
        var manager = StoreSpec.Open(spec);
        await using (manager.ConfigureAwait(false))
        {
            await manager.GetAsync<long>(StateOwner.Global, key).ConfigureAwait(false);
            await Console.Out.WriteLineAsync("ready").ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);
            await Console.In.ReadLineAsync().ConfigureAwait(false);

            var values = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                var held = await manager.AcquireLockAsync(StateOwner.Global, key, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)).ConfigureAwait(false);
                await using (held.ConfigureAwait(false))
                {
                    var current = await held.State.GetAsync<long>(StateOwner.Global, key).ConfigureAwait(false);
                    var next = current.Value + 1;
                    var version = await held.State.SetAsync(StateOwner.Global, key, next).ConfigureAwait(false);
                    if (values.Length > 0)
                    {
                        values.Append(',');
                    }

                    values.Append(next.ToString(CultureInfo.InvariantCulture)).Append(':').Append(version.ToString(CultureInfo.InvariantCulture));
                }
            }

            await Console.Out.WriteLineAsync($"done attempts={count.ToString(CultureInfo.InvariantCulture)} values={values}").ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);
        }
    }
}
