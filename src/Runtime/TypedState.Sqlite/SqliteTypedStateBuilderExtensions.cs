using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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

    /// <summary>
    /// Stores state in SQLite with the given settings, bound through <see cref="IOptions{TOptions}"/> (so
    /// <c>services.Configure&lt;SqliteStateDriverOptions&gt;(…)</c> applies too) and validated when the host starts.
    /// </summary>
    public static TypedStateBuilder UseSqlite(this TypedStateBuilder builder, Action<SqliteStateDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder.UseDriver<SqliteStateDriverOptions>(DriverName, CreateDriver, static (options, services) => options.Validate(services));
    }

    /// <summary>
    /// Makes SQLite selectable from configuration: with <c>"Driver": "Sqlite"</c> the driver reads
    /// <c>ConnectionString</c> (or <c>ConnectionName</c>, naming an entry of <c>ConnectionStrings</c>),
    /// <c>Synchronous</c>, <c>BusyTimeoutSeconds</c>, <c>CommitIdRetentionMinutes</c>, <c>ListPageSize</c> and
    /// <c>MaxIdleConnections</c> from the <c>Sqlite</c> sub-section, when the options are built; any other key is refused.
    /// </summary>
    public static TypedStateBuilder AddSqlite(this TypedStateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddDriver(DriverName, static (b, section) => b.UseSqlite(options => ConfigurationValues.Bind(section, s => Bind(s, options))));
    }

    private static SqliteStateDriver CreateDriver(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<SqliteStateDriverOptions>>().Value.Resolve(services),
        services.GetService<ILoggerFactory>());

    private static void Bind(IConfiguration section, SqliteStateDriverOptions options)
    {
        options.ConnectionString = section[nameof(SqliteStateDriverOptions.ConnectionString)] ?? options.ConnectionString;
        options.ConnectionName = section[nameof(SqliteStateDriverOptions.ConnectionName)] ?? options.ConnectionName;
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
