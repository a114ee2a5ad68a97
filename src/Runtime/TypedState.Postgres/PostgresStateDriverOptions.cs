using System.Text.RegularExpressions;
using Npgsql;

namespace TypedState.Postgres;

/// <summary>Settings of the PostgreSQL driver.</summary>
public sealed partial class PostgresStateDriverOptions
{
    /// <summary>The schema used when none is set.</summary>
    public const string DefaultSchema = "typedstate";

    /// <summary>
    /// An Npgsql connection string, e.g. <c>Host=localhost;Username=app;Password=…;Database=app</c>. The driver then
    /// builds and owns a pooled <see cref="NpgsqlDataSource"/>. Required unless <see cref="DataSource"/> is set.
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

    internal void Validate()
    {
        if (DataSource is null && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException(
                "PostgresStateDriverOptions.ConnectionString (or DataSource) is required, e.g. \"Host=localhost;Username=app;Database=app\".",
                nameof(ConnectionString));
        }

        if (DataSource is not null && !string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException(
                "Set either PostgresStateDriverOptions.ConnectionString or DataSource, not both.", nameof(DataSource));
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
