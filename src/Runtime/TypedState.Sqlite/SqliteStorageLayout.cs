using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace TypedState.Sqlite;

/// <summary>
/// Prepares a database file for the driver, on the first connection of a driver: WAL mode, then the storage layout
/// (the driver's tables) created or upgraded to <see cref="SqliteSql.LayoutVersion"/> in one <c>BEGIN IMMEDIATE</c>
/// transaction, so processes opening the same file at once upgrade it once. A file already at the current layout is
/// only read, without the write lock, so another process holding that lock does not hold up the first operation.
/// A layout newer than the driver is refused before anything changes.
/// </summary>
internal static partial class SqliteStorageLayout
{
    /// <summary>Sets WAL mode and brings the layout of the file behind <paramref name="connection"/> to the current version.</summary>
    public static void Prepare(SqliteConnection connection, string dataSource, ILogger logger)
    {
        using (var wal = connection.CreateCommand())
        {
            // The journal mode is a property of the file; it cannot change inside a transaction.
            wal.CommandText = "PRAGMA journal_mode = WAL";
            var mode = wal.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for '{dataSource}' (journal mode is '{mode}').");
            }
        }

        if (StoredVersion(connection, null) == SqliteSql.LayoutVersion)
        {
            return;
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteSql.CreateLayoutVersionTable;
        command.ExecuteNonQuery();
        var stored = StoredVersion(connection, transaction);
        if (stored > SqliteSql.LayoutVersion)
        {
            throw new StateException(
                $"The SQLite database '{dataSource}' has TypedState storage layout version {stored}, newer than this driver understands " +
                $"({SqliteSql.LayoutVersion}). Upgrade TypedState.Sqlite; the file was left unchanged.");
        }

        for (var next = stored + 1; next <= SqliteSql.LayoutVersion; next++)
        {
            command.CommandText = SqliteSql.LayoutUpgrades[next - 1];
            command.ExecuteNonQuery();
            LogLayoutUpgraded(logger, dataSource, next);
        }

        if (stored < SqliteSql.LayoutVersion)
        {
            command.CommandText = SqliteSql.WriteLayoutVersion;
            command.Parameters.AddWithValue("$version", SqliteSql.LayoutVersion);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>The file's layout version; 0 for a file without the driver's tables.</summary>
    private static int StoredVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'typedstate_schema'";
        if (command.ExecuteScalar() is not (long and > 0))
        {
            return 0;
        }

        command.CommandText = SqliteSql.ReadLayoutVersion;
        return command.ExecuteScalar() is long version ? (int)version : 0;
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Upgraded the SQLite storage layout of '{DataSource}' to version {Version}")]
    private static partial void LogLayoutUpgraded(ILogger logger, string dataSource, int version);
}
