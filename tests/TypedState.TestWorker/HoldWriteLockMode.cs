using Microsoft.Data.Sqlite;

namespace TypedState.TestWorker;

/// <summary>
/// Holds SQLite's write lock on a file from this process: <c>BEGIN IMMEDIATE</c> on a plain connection, then
/// "locked"; on a line from stdin it rolls back, prints "released" and waits for stdin to end. Lets a test show
/// what a driver in another process does while the database is locked.
/// </summary>
internal static class HoldWriteLockMode
{
    public static async Task RunAsync(string connectionString)
    {
        var connection = new SqliteConnection(connectionString + ";Pooling=False");
        await using (connection.ConfigureAwait(false))
        {
            connection.Open();
            using (var begin = connection.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }

            await Console.Out.WriteLineAsync("locked").ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);

            // The release signal: any line, or the end of stdin.
            await Console.In.ReadLineAsync().ConfigureAwait(false);
            using (var rollback = connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }

            await Console.Out.WriteLineAsync("released").ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);
            await Console.In.ReadToEndAsync().ConfigureAwait(false);
        }
    }
}
