using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TypedState.DependencyInjection;

namespace TypedState.Postgres;

/// <summary>Chooses the PostgreSQL driver: <c>services.AddTypedState(b => b.UsePostgres("Host=…;Database=…"))</c>.</summary>
public static class PostgresTypedStateBuilderExtensions
{
    /// <summary>The name that selects this driver in configuration (<c>"Driver": "Postgres"</c>).</summary>
    public const string DriverName = "Postgres";

    /// <summary>Stores state in the PostgreSQL database named by the Npgsql <paramref name="connectionString"/>, in the default schema.</summary>
    public static TypedStateBuilder UsePostgres(this TypedStateBuilder builder, string connectionString) =>
        builder.UsePostgres(options => options.ConnectionString = connectionString);

    /// <summary>
    /// Stores state in PostgreSQL with the given settings, bound through <see cref="IOptions{TOptions}"/> (so
    /// <c>services.Configure&lt;PostgresStateDriverOptions&gt;(…)</c> applies too) and validated when the host starts.
    /// </summary>
    public static TypedStateBuilder UsePostgres(this TypedStateBuilder builder, Action<PostgresStateDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder.UseDriver<PostgresStateDriverOptions>(DriverName, CreateDriver, static (options, services) => options.Validate(services));
    }

    /// <summary>
    /// Stores state through the application's own <see cref="NpgsqlDataSource"/>, taken from the services by
    /// <paramref name="dataSource"/> when the driver is built, e.g. the one Aspire's <c>AddNpgsqlDataSource</c> registers,
    /// so pooling, credentials, logging and tracing are shared. The driver does not dispose it.
    /// </summary>
    public static TypedStateBuilder UsePostgres(
        this TypedStateBuilder builder,
        Func<IServiceProvider, NpgsqlDataSource> dataSource,
        Action<PostgresStateDriverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UsePostgres(options =>
        {
            configure?.Invoke(options);
            options.DataSourceFactory = dataSource;
        });
    }

    /// <summary>
    /// Stores state through the <see cref="NpgsqlDataSource"/> registered in the services (keyed by
    /// <paramref name="serviceKey"/> when given): <c>builder.AddNpgsqlDataSource("state")</c> then
    /// <c>b.UsePostgresDataSource()</c>. The driver does not dispose it.
    /// </summary>
    public static TypedStateBuilder UsePostgresDataSource(
        this TypedStateBuilder builder,
        object? serviceKey = null,
        Action<PostgresStateDriverOptions>? configure = null) =>
        builder.UsePostgres(
            services => serviceKey is null ? services.GetRequiredService<NpgsqlDataSource>() : services.GetRequiredKeyedService<NpgsqlDataSource>(serviceKey),
            configure);

    /// <summary>
    /// Makes PostgreSQL selectable from configuration: with <c>"Driver": "Postgres"</c> the driver reads
    /// <c>ConnectionString</c> (or <c>ConnectionName</c>, naming an entry of <c>ConnectionStrings</c>), <c>Schema</c>,
    /// <c>ListPageSize</c>, <c>ValueStorage</c> and <c>EnableNpgsqlLogging</c> from the <c>Postgres</c> sub-section,
    /// when the options are built; any other key is refused.
    /// </summary>
    public static TypedStateBuilder AddPostgres(this TypedStateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddDriver(DriverName, static (b, section) => b.UsePostgres(options => ConfigurationValues.Bind(section, s => Bind(s, options))));
    }

    private static PostgresStateDriver CreateDriver(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<PostgresStateDriverOptions>>().Value.Resolve(services),
        services.GetService<ILoggerFactory>());

    private static void Bind(IConfiguration section, PostgresStateDriverOptions options)
    {
        options.ConnectionString = section[nameof(PostgresStateDriverOptions.ConnectionString)] ?? options.ConnectionString;
        options.ConnectionName = section[nameof(PostgresStateDriverOptions.ConnectionName)] ?? options.ConnectionName;
        if (section[nameof(PostgresStateDriverOptions.Schema)] is { Length: > 0 } schema)
        {
            options.Schema = schema;
        }

        options.ListPageSize = ConfigurationValues.GetInt32(section, nameof(PostgresStateDriverOptions.ListPageSize)) ?? options.ListPageSize;
        options.ValueStorage = ConfigurationValues.GetEnum<PostgresValueStorage>(section, nameof(PostgresStateDriverOptions.ValueStorage)) ?? options.ValueStorage;
        options.EnableNpgsqlLogging = ConfigurationValues.GetBoolean(section, nameof(PostgresStateDriverOptions.EnableNpgsqlLogging)) ?? options.EnableNpgsqlLogging;
    }
}
