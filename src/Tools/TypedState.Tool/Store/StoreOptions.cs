using System.CommandLine;

namespace TypedState.Tool.Store;

/// <summary>
/// The options every command takes to reach a store, the way the application does: its configuration file and
/// environment (the <c>TypedState</c> section: <c>Driver</c> and the driver's sub-section), overridden by flags.
/// </summary>
internal static class StoreOptions
{
    public static readonly Option<FileInfo?> Config = new("--config")
    {
        Description = "The application's settings file (default: appsettings.json in the current folder, when there is one). TYPEDSTATE__* environment variables apply too.",
        Recursive = true,
    };

    public static readonly Option<string?> Driver = new("--driver")
    {
        Description = "The driver, overriding the configuration: sqlite, postgres or redis.",
        Recursive = true,
    };

    public static readonly Option<string?> Connection = new("--connection")
    {
        Description = "The connection string (SQLite, PostgreSQL) or configuration (Redis), overriding the configuration.",
        Recursive = true,
    };

    public static readonly Option<string?> Schema = new("--schema")
    {
        Description = "PostgreSQL: the schema holding the tables.",
        Recursive = true,
    };

    public static readonly Option<string?> KeyPrefix = new("--key-prefix")
    {
        Description = "Redis: the application's key prefix.",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write the result as JSON (for scripts) instead of tables.",
        Recursive = true,
    };

    public static IEnumerable<Option> All => [Config, Driver, Connection, Schema, KeyPrefix, Json];
}
