using System.CommandLine;
using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TypedState.DependencyInjection;
using TypedState.Postgres;
using TypedState.Redis;
using TypedState.Sqlite;

namespace TypedState.Tool.Store;

/// <summary>
/// A store opened as the application opens it: <c>AddTypedState</c> over the same configuration, with every driver
/// selectable by name. Describes itself without secrets, for messages.
/// </summary>
internal sealed class StoreSession : IAsyncDisposable
{
    private const string Section = "TypedState";

    // The connection-string parts that say where a store is, never who connects or with what secret.
    private static readonly string[] s_locationParts = ["Data Source", "Host", "Server", "Database"];
    private readonly ServiceProvider _services;

    private StoreSession(ServiceProvider services, string description)
    {
        _services = services;
        Description = description;
        State = services.GetRequiredService<StateManager>();
    }

    public StateManager State { get; }

    /// <summary>The driver and where it points (host, database or file), never a password.</summary>
    public string Description { get; }

    public static StoreSession Open(ParseResult parse)
    {
        var configuration = Configuration(parse);
        var section = configuration.GetSection(Section);
        var driver = section[TypedStateBuilder.DriverKey];
        if (string.IsNullOrWhiteSpace(driver))
        {
            throw new ToolException(ExitCodes.StoreUnavailable, "No store is configured: give --driver and --connection, or --config with a \"TypedState\" section naming its \"Driver\".");
        }

        var services = new ServiceCollection();
        services.AddTypedState(b => b.AddSqlite().AddPostgres().AddRedis().UseConfiguration(section));
        var provider = services.BuildServiceProvider();
        try
        {
            return new StoreSession(provider, Describe(driver, section.GetSection(driver)));
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            provider.Dispose();
            throw new ToolException(ExitCodes.StoreUnavailable, $"The {driver} store is not configured correctly: {exception.Message}");
        }
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync().ConfigureAwait(false);

    private static IConfiguration Configuration(ParseResult parse)
    {
        var builder = new ConfigurationBuilder();
        var file = parse.GetValue(StoreOptions.Config);
        if (file is not null && !file.Exists)
        {
            throw new ToolException(ExitCodes.Usage, $"The settings file '{file.FullName}' does not exist.");
        }

        file ??= new FileInfo("appsettings.json") is { Exists: true } found ? found : null;
        if (file is not null)
        {
            builder.AddJsonFile(file.FullName, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables();
        var overrides = new Dictionary<string, string?>();
        var driver = parse.GetValue(StoreOptions.Driver) is { } named ? DriverName(named) : null;
        if (driver is not null)
        {
            overrides[$"{Section}:{TypedStateBuilder.DriverKey}"] = driver;
        }

        driver ??= builder.Build().GetSection(Section)[TypedStateBuilder.DriverKey];
        if (parse.GetValue(StoreOptions.Connection) is { } connection)
        {
            var key = string.Equals(driver, RedisTypedStateBuilderExtensions.DriverName, StringComparison.OrdinalIgnoreCase) ? "Configuration" : "ConnectionString";
            overrides[$"{Section}:{driver}:{key}"] = connection;
        }

        if (parse.GetValue(StoreOptions.Schema) is { } schema)
        {
            overrides[$"{Section}:{PostgresTypedStateBuilderExtensions.DriverName}:Schema"] = schema;
        }

        if (parse.GetValue(StoreOptions.KeyPrefix) is { } prefix)
        {
            overrides[$"{Section}:{RedisTypedStateBuilderExtensions.DriverName}:KeyPrefix"] = prefix;
        }

        return builder.AddInMemoryCollection(overrides).Build();
    }

    private static string DriverName(string name) => name.ToLowerInvariant() switch
    {
        "sqlite" => SqliteTypedStateBuilderExtensions.DriverName,
        "postgres" or "postgresql" => PostgresTypedStateBuilderExtensions.DriverName,
        "redis" => RedisTypedStateBuilderExtensions.DriverName,
        _ => throw new ToolException(ExitCodes.Usage, $"Unknown driver '{name}': use sqlite, postgres or redis."),
    };

    /// <summary>"Sqlite store state.db", "Postgres store 127.0.0.1/app", "Redis store 127.0.0.1:6379": where, never a secret.</summary>
    private static string Describe(string driver, IConfiguration section)
    {
        var text = section["ConnectionString"] ?? section["Configuration"];
        if (text is null)
        {
            return $"{driver} store";
        }

        if (string.Equals(driver, RedisTypedStateBuilderExtensions.DriverName, StringComparison.OrdinalIgnoreCase))
        {
            return $"{driver} store {text.Split(',')[0]}";
        }

        try
        {
            var parts = new DbConnectionStringBuilder { ConnectionString = text };
            var where = s_locationParts.Where(parts.ContainsKey).Select(k => parts[k]?.ToString());
            return $"{driver} store {string.Join('/', where)}";
        }
        catch (ArgumentException)
        {
            return $"{driver} store";
        }
    }
}
