using Microsoft.Extensions.Logging;

namespace TypedState.Sqlite;

/// <summary>A <see cref="StateManager"/> over its own <see cref="SqliteStateDriver"/>, for use without dependency injection.</summary>
public sealed class SqliteStateManager : StateManager
{
    /// <summary>Opens (or creates) the database named by <paramref name="connectionString"/>, e.g. <c>Data Source=state.db</c>.</summary>
    public SqliteStateManager(string connectionString, StateManagerOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(new SqliteStateDriverOptions { ConnectionString = connectionString }, options, loggerFactory)
    {
    }

    /// <summary>Opens (or creates) the database with full driver settings.</summary>
    public SqliteStateManager(SqliteStateDriverOptions driverOptions, StateManagerOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(new SqliteStateDriver(driverOptions, loggerFactory), options, loggerFactory, ownsDriver: true)
    {
    }
}
