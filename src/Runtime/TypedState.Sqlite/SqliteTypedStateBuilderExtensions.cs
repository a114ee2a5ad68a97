using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedState.DependencyInjection;

namespace TypedState.Sqlite;

/// <summary>Chooses the SQLite driver: <c>services.AddTypedState(b => b.UseSqlite("Data Source=state.db"))</c>.</summary>
public static class SqliteTypedStateBuilderExtensions
{
    /// <summary>The name that selects this driver in configuration (<c>"Driver": "Sqlite"</c>).</summary>
    public const string DriverName = "Sqlite";

    /// <summary>Stores state in the SQLite database named by <paramref name="connectionString"/>.</summary>
    public static TypedStateBuilder UseSqlite(this TypedStateBuilder builder, string connectionString) =>
        builder.UseSqlite(options => options.ConnectionString = connectionString);

    /// <summary>Stores state in SQLite with the given settings.</summary>
    public static TypedStateBuilder UseSqlite(this TypedStateBuilder builder, Action<SqliteStateDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SqliteStateDriverOptions();
        configure(options);
        options.Validate();
        return builder.UseDriver(DriverName, provider => new SqliteStateDriver(options, provider.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Makes SQLite selectable from configuration: with <c>"Driver": "Sqlite"</c> the driver reads
    /// <c>ConnectionString</c>, <c>Synchronous</c>, <c>BusyTimeoutSeconds</c>, <c>CommitIdRetentionMinutes</c>,
    /// <c>ListPageSize</c> and
    /// <c>MaxIdleConnections</c> from the <c>Sqlite</c> sub-section.
    /// </summary>
    public static TypedStateBuilder AddSqlite(this TypedStateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddDriver(DriverName, static (b, section) => b.UseSqlite(options => Bind(section, options)));
    }

    private static void Bind(IConfiguration section, SqliteStateDriverOptions options)
    {
        options.ConnectionString = section[nameof(SqliteStateDriverOptions.ConnectionString)] ?? options.ConnectionString;
        options.Synchronous = ConfigurationValues.GetEnum<SqliteSynchronousMode>(section, nameof(SqliteStateDriverOptions.Synchronous)) ?? options.Synchronous;
        if (ConfigurationValues.GetInt32(section, "BusyTimeoutSeconds") is { } seconds)
        {
            options.BusyTimeout = TimeSpan.FromSeconds(seconds);
        }

        if (ConfigurationValues.GetInt32(section, "CommitIdRetentionMinutes") is { } minutes)
        {
            options.CommitIdRetention = TimeSpan.FromMinutes(minutes);
        }

        options.ListPageSize = ConfigurationValues.GetInt32(section, nameof(SqliteStateDriverOptions.ListPageSize)) ?? options.ListPageSize;
        options.MaxIdleConnections = ConfigurationValues.GetInt32(section, nameof(SqliteStateDriverOptions.MaxIdleConnections)) ?? options.MaxIdleConnections;
    }
}
