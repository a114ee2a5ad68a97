using System.Globalization;
using System.Text;

namespace TypedState.TestWorker;

/// <summary>Optimistic increments of one global counter, racing other processes on the same file.</summary>
internal static class IncrementMode
{
    public static async Task RunAsync(string connectionString, string key, int count)
    {
        var manager = StoreSpec.Open(connectionString);
        await using (manager.ConfigureAwait(false))
        {
            // One read opens the file (and creates the schema, possibly racing the other workers) before "ready".
            await manager.GetAsync<long>(StateOwner.Global, key).ConfigureAwait(false);
            await Console.Out.WriteLineAsync("ready").ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);

            // The start barrier: any line, or the end of stdin.
            await Console.In.ReadLineAsync().ConfigureAwait(false);

            long attempts = 0;
            var values = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                var written = await manager.UpdateAsync<long>(
                    StateOwner.Global,
                    key,
                    current =>
                    {
                        attempts++;
                        return current + 1;
                    },
                    maxAttempts: int.MaxValue).ConfigureAwait(false);
                if (values.Length > 0)
                {
                    values.Append(',');
                }

                values.Append(written.Value.ToString(CultureInfo.InvariantCulture))
                    .Append(':')
                    .Append(written.Version.ToString(CultureInfo.InvariantCulture));
            }

            await Console.Out.WriteLineAsync($"done attempts={attempts.ToString(CultureInfo.InvariantCulture)} values={values}").ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);
        }
    }
}
