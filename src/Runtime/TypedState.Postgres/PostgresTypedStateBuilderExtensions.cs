using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

    /// <summary>Stores state in PostgreSQL with the given settings.</summary>
    public static TypedStateBuilder UsePostgres(this TypedStateBuilder builder, Action<PostgresStateDriverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PostgresStateDriverOptions();
        configure(options);
        options.Validate();
        return builder.UseDriver(DriverName, provider => new PostgresStateDriver(options, provider.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Makes PostgreSQL selectable from configuration: with <c>"Driver": "Postgres"</c> the driver reads
    /// <c>ConnectionString</c>, <c>Schema</c>, <c>ListPageSize</c> and <c>ValueStorage</c> from the <c>Postgres</c>
    /// sub-section.
    /// </summary>
    public static TypedStateBuilder AddPostgres(this TypedStateBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddDriver(DriverName, static (b, section) => b.UsePostgres(options => Bind(section, options)));
    }

    private static void Bind(IConfiguration section, PostgresStateDriverOptions options)
    {
        options.ConnectionString = section[nameof(PostgresStateDriverOptions.ConnectionString)] ?? options.ConnectionString;
        if (section[nameof(PostgresStateDriverOptions.Schema)] is { Length: > 0 } schema)
        {
            options.Schema = schema;
        }

        options.ListPageSize = ConfigurationValues.GetInt32(section, nameof(PostgresStateDriverOptions.ListPageSize)) ?? options.ListPageSize;
        options.ValueStorage = ConfigurationValues.GetEnum<PostgresValueStorage>(section, nameof(PostgresStateDriverOptions.ValueStorage)) ?? options.ValueStorage;
    }
}
