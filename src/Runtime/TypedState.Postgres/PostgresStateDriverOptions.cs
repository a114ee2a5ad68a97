using System.Text.RegularExpressions;
using Npgsql;
using TypedState.DependencyInjection;

namespace TypedState.Postgres;

/// <summary>Settings of the PostgreSQL driver.</summary>
public sealed partial class PostgresStateDriverOptions
{
    /// <summary>The schema used when none is set.</summary>
    public const string DefaultSchema = "typedstate";

    /// <summary>
    /// An Npgsql connection string, e.g. <c>Host=localhost;Username=app;Password=…;Database=app</c>. The driver then
    /// builds and owns a pooled <see cref="NpgsqlDataSource"/>. One of this, <see cref="ConnectionName"/> and
    /// <see cref="DataSource"/> is required.
    /// The driver runs a small, fixed set of statements and keeps no session state, so unless the connection string
    /// says otherwise it sets <c>Max Auto Prepare=64</c> (Npgsql's automatic preparation) and
    /// <c>No Reset On Close=true</c>; set <c>Max Auto Prepare=0</c> behind a pooler that does not support prepared
    /// statements.
    /// </summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// An existing data source to use instead of <see cref="ConnectionString"/> (for example one shared with the rest
    /// of the application). The driver does not dispose it.
    /// </summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// The name of a connection string in the application's configuration (<c>ConnectionStrings:{name}</c>, where
    /// Aspire's AppHost puts them), read when the driver is built through <c>AddTypedState</c> and used as
    /// <see cref="ConnectionString"/>.
    /// </summary>
    public string? ConnectionName { get; set; }

    /// <summary>
    /// Hands the application's logger factory to the data source the driver builds, so Npgsql logs through it.
    /// Off by default: Npgsql logs every statement it runs at <c>Information</c>, which would drown the
    /// application's logs. A <see cref="DataSource"/> passed in keeps its own logging settings.
    /// </summary>
    public bool EnableNpgsqlLogging { get; set; }

    /// <summary>A data source taken from the application's services when the driver is built (UsePostgres overloads).</summary>
    internal Func<IServiceProvider, NpgsqlDataSource>? DataSourceFactory { get; set; }

    /// <summary>
    /// The PostgreSQL schema holding the driver's tables, created on first use. Default <c>typedstate</c>. Letters,
    /// digits and underscores, starting with a letter or underscore, at most 63 characters, not starting with
    /// <c>pg_</c>; always quoted, so the case is kept.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>How many records (or, listing owners, owners) a listing fetches per query. Default 256.</summary>
    public int ListPageSize { get; set; } = 256;

    /// <summary>
    /// Where values are written. Default <see cref="PostgresValueStorage.Jsonb"/>: as <c>jsonb</c>, queryable in SQL,
    /// with an exact-bytes fallback for values jsonb cannot hold; <see cref="PostgresValueStorage.Bytea"/> writes
    /// every value as exact bytes. Both use the same table, so drivers with different settings can share a schema
    /// and the setting can be changed at any time: it decides where new writes go, and reads return either kind.
    /// </summary>
    public PostgresValueStorage ValueStorage { get; set; } = PostgresValueStorage.Jsonb;

    /// <summary>
    /// How long the id of an applied commit is remembered (table <c>commit_ids</c>, by the database clock), so that a
    /// commit repeated after its answer was lost applies nothing and returns the first result. Default 10 minutes;
    /// between 1 second and 7 days. Keep it well above <see cref="StateManagerOptions.CommitRecoveryTimeout"/>.
    /// </summary>
    public TimeSpan CommitIdRetention { get; set; } = DefaultCommitIdRetention;

    /// <summary>The default of <see cref="CommitIdRetention"/>.</summary>
    internal static readonly TimeSpan DefaultCommitIdRetention = TimeSpan.FromMinutes(10);

    /// <summary>
    /// These settings with the connection resolved from <paramref name="services"/>: <see cref="ConnectionName"/>
    /// read from configuration, or the data source taken from the services.
    /// </summary>
    internal PostgresStateDriverOptions Resolve(IServiceProvider services)
    {
        Validate(services);
        var resolved = (PostgresStateDriverOptions)MemberwiseClone();
        resolved.ConnectionName = null;
        resolved.DataSourceFactory = null;
        if (ConnectionName is { Length: > 0 } name)
        {
            resolved.ConnectionString = ConfigurationValues.GetConnectionString(services, name);
        }

        if (DataSourceFactory is { } dataSource)
        {
            resolved.DataSource = dataSource(services) ?? throw new InvalidOperationException("The NpgsqlDataSource taken from the services is null.");
        }

        return resolved;
    }

    /// <summary>
    /// Checks the settings; a <see cref="ConnectionName"/> must name a configured connection string of
    /// <paramref name="services"/> (a driver built through <c>AddTypedState</c>) and is refused without them.
    /// </summary>
    internal void Validate(IServiceProvider? services = null)
    {
        ValidateSettings();
        ConfigurationValues.CheckConnectionName(services, ConnectionName, nameof(PostgresStateDriverOptions));
    }

    private void ValidateSettings()
    {
        var sources = (string.IsNullOrWhiteSpace(ConnectionString) ? 0 : 1) + (DataSource is null ? 0 : 1)
            + (string.IsNullOrWhiteSpace(ConnectionName) ? 0 : 1) + (DataSourceFactory is null ? 0 : 1);
        if (sources == 0)
        {
            throw new ArgumentException(
                "PostgresStateDriverOptions.ConnectionString (or ConnectionName, or DataSource) is required, e.g. \"Host=localhost;Username=app;Database=app\".",
                nameof(ConnectionString));
        }

        if (sources > 1)
        {
            throw new ArgumentException(
                "Set one of PostgresStateDriverOptions.ConnectionString, ConnectionName and DataSource (or a data source from the services), not several.",
                nameof(DataSource));
        }

        ValidateSchema(Schema);
        if (ListPageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "ListPageSize must be at least 1.");
        }

        if (!Enum.IsDefined(ValueStorage))
        {
            throw new ArgumentOutOfRangeException(nameof(ValueStorage), ValueStorage, "Unknown value storage.");
        }

        if (CommitIdRetention < TimeSpan.FromSeconds(1) || CommitIdRetention > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(CommitIdRetention), CommitIdRetention, "CommitIdRetention must be between 1 second and 7 days.");
        }
    }

    /// <summary>Checks that <paramref name="schema"/> is a plain identifier PostgreSQL accepts as a schema name.</summary>
    internal static void ValidateSchema(string? schema)
    {
        if (schema is null || !SchemaName().IsMatch(schema) || schema.StartsWith("pg_", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"The PostgreSQL schema name '{schema}' is not valid: use 1 to 63 letters (a-z, A-Z), digits and underscores, " +
                "starting with a letter or an underscore and not with 'pg_'.",
                nameof(schema));
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
