using Microsoft.Data.Sqlite;

namespace TypedState.Sqlite;

// The health probe.
public sealed partial class SqliteStateDriver
{
    /// <inheritdoc />
    /// <remarks>
    /// Runs <c>SELECT 1</c> on a pooled connection (which prepares the file on first use), then opens the file at the
    /// configured path afresh, without creating it, and reads its schema: a pooled connection keeps working on a file
    /// that was deleted or overwritten under it, so only a fresh open shows that the database is gone.
    /// </remarks>
    public ValueTask PingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _ = InSession(0, static (session, _) => session.Command("SELECT 1", null).ExecuteScalar());
        var probe = new SqliteConnectionStringBuilder(_connectionString);
        if (probe.Mode == SqliteOpenMode.ReadWriteCreate)
        {
            probe.Mode = SqliteOpenMode.ReadWrite;
        }

        using var connection = new SqliteConnection(probe.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_schema";
        _ = command.ExecuteScalar();
        return ValueTask.CompletedTask;
    }
}
