using Microsoft.Extensions.Logging;

namespace TypedState.Postgres;

/// <summary>A <see cref="StateManager"/> over its own <see cref="PostgresStateDriver"/>, for use without dependency injection.</summary>
public sealed class PostgresStateManager : StateManager
{
    /// <summary>
    /// Connects with an Npgsql <paramref name="connectionString"/> (e.g. <c>Host=localhost;Username=app;Database=app</c>)
    /// and keeps state in <paramref name="schema"/>, created on first use.
    /// </summary>
    public PostgresStateManager(
        string connectionString,
        string schema = PostgresStateDriverOptions.DefaultSchema,
        StateManagerOptions? options = null,
        ILoggerFactory? loggerFactory = null)
        : this(new PostgresStateDriverOptions { ConnectionString = connectionString, Schema = schema }, options, loggerFactory)
    {
    }

    /// <summary>Connects with full driver settings.</summary>
    public PostgresStateManager(PostgresStateDriverOptions driverOptions, StateManagerOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(new PostgresStateDriver(driverOptions, loggerFactory), options, loggerFactory, ownsDriver: true)
    {
    }
}
