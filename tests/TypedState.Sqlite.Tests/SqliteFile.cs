using Microsoft.Data.Sqlite;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Reads and changes a database file behind the driver's back, on a connection of its own (outside any pool), as an
/// operator's tool or an older driver would: to check the storage layout or plant a trigger or an old layout.
/// </summary>
internal static class SqliteFile
{
    /// <summary>The first column of the first row of <paramref name="sql"/>.</summary>
    public static object? Scalar(string connectionString, string sql)
    {
        using var connection = Open(connectionString);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Runs <paramref name="sql"/> (one or more statements) and commits it.</summary>
    public static void Execute(string connectionString, string sql)
    {
        using var connection = Open(connectionString);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Opens the file (recovery from the WAL happens then) and checks it comes out structurally sound.</summary>
    public static void AssertIntact(string connectionString) => Assert.Equal("ok", Scalar(connectionString, "PRAGMA integrity_check") as string);

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection($"{connectionString};Pooling=False");
        connection.Open();
        return connection;
    }
}
