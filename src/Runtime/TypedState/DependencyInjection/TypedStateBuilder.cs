using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.DependencyInjection;

/// <summary>
/// Chooses the driver and settings of <c>services.AddTypedState(b => …)</c>. Drivers are chosen in code
/// (<c>UseInMemory()</c>, <c>UseSqlite(…)</c>, <see cref="UseDriver{TDriver}"/>) or by name from configuration
/// (<see cref="UseConfiguration"/>), among the drivers made selectable with <see cref="AddDriver"/>.
/// </summary>
public sealed class TypedStateBuilder
{
    /// <summary>The configuration key that names the driver, e.g. <c>"Driver": "Sqlite"</c>.</summary>
    public const string DriverKey = "Driver";

    /// <summary>The sub-section of the configuration section holding the <see cref="StateMigrationOptions"/>.</summary>
    public const string MigrationsKey = "Migrations";

    private readonly Dictionary<string, Action<TypedStateBuilder, IConfiguration>> _namedDrivers = new(StringComparer.OrdinalIgnoreCase);
    private IConfiguration? _configuration;

    internal TypedStateBuilder(IServiceCollection services)
    {
        Services = services;
        AddDriver("InMemory", static (builder, _) => builder.UseInMemory());
    }

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The name of the chosen driver, for messages; null until one is chosen.</summary>
    public string? DriverName { get; private set; }

    internal Func<IServiceProvider, IStateDriver>? DriverFactory { get; private set; }

    /// <summary>The state types whose records the <see cref="StateMigrator"/> upgrades.</summary>
    public StateTypeRegistry StateTypes { get; } = new();

    internal bool MigratesOnStartup { get; private set; }

    /// <summary>Uses the non-persistent <see cref="InMemoryStateDriver"/>.</summary>
    public TypedStateBuilder UseInMemory() => UseDriver("InMemory", static _ => new InMemoryStateDriver());

    /// <summary>
    /// Uses a custom driver built by <paramref name="factory"/> (a singleton; the container disposes it).
    /// This is how a driver package plugs in: its <c>UseXxx</c> extension calls this method.
    /// </summary>
    public TypedStateBuilder UseDriver(string name, Func<IServiceProvider, IStateDriver> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        DriverName = name;
        DriverFactory = factory;
        return this;
    }

    /// <summary>Uses a custom driver type, built by the container (its constructor may take any registered service).</summary>
    public TypedStateBuilder UseDriver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDriver>()
        where TDriver : class, IStateDriver =>
        UseDriver(typeof(TDriver).Name, static provider => ActivatorUtilities.CreateInstance<TDriver>(provider));

    /// <summary>
    /// Makes a driver selectable by <paramref name="name"/> from configuration. <paramref name="useFromConfiguration"/>
    /// receives the configuration section named after the driver (e.g. <c>TypedState:Sqlite</c>) and selects it.
    /// </summary>
    public TypedStateBuilder AddDriver(string name, Action<TypedStateBuilder, IConfiguration> useFromConfiguration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(useFromConfiguration);
        _namedDrivers[name] = useFromConfiguration;
        return this;
    }

    /// <summary>Registers one generated state type with the migrator.</summary>
    /// <exception cref="InvalidOperationException">Another registered type uses the same scope and key.</exception>
    public TypedStateBuilder AddStateType<T>()
        where T : IStateType<T>
    {
        StateTypes.Add(T.Schema);
        return this;
    }

    /// <summary>
    /// Registers generated state types with the migrator, typically every type of an assembly:
    /// <c>b.AddStateTypes(GeneratedStateTypes.All)</c> (the generator emits <c>GeneratedStateTypes</c> in each assembly).
    /// </summary>
    /// <exception cref="InvalidOperationException">Two types use the same scope and key.</exception>
    public TypedStateBuilder AddStateTypes(IEnumerable<StateSchema> schemas)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        foreach (var schema in schemas)
        {
            StateTypes.Add(schema);
        }

        return this;
    }

    /// <summary>
    /// Runs the <see cref="StateMigrator"/> as a hosted service when the host starts, so every record of the registered
    /// state types is at its current version before the application serves; a failing migration stops the start-up.
    /// Register TypedState before hosted services that use state, since hosted services start in registration order.
    /// </summary>
    public TypedStateBuilder MigrateOnStartup(Action<StateMigrationOptions>? configure = null)
    {
        MigratesOnStartup = true;
        if (configure is not null)
        {
            Services.Configure(configure);
        }

        return this;
    }

    /// <summary>
    /// Creates the store's storage when the host starts (<see cref="StateManager.EnsureCreatedAsync"/>: a SQLite file
    /// and its tables, a PostgreSQL schema, a checked Redis connection), before the startup migration and the hosted
    /// services registered after TypedState, so other processes can open the store at once; a store that cannot be
    /// reached stops the start-up. Needs the Generic Host; without it, call <see cref="StateManager.EnsureCreatedAsync"/>.
    /// </summary>
    public TypedStateBuilder EnsureCreatedOnStartup()
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StateStoreCreationHostedService>());
        return this;
    }

    /// <summary>Changes the manager's limits or serializer settings.</summary>
    public TypedStateBuilder Configure(Action<StateManagerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// Binds the manager's settings from <paramref name="section"/> and selects the driver its <c>Driver</c> key
    /// names, configured from the sub-section of the same name; the startup migrator's settings
    /// (<see cref="StateMigrationOptions"/>) come from its <c>Migrations</c> sub-section:
    /// <code>
    /// "TypedState": { "Driver": "Sqlite", "MaxValueBytes": 65536, "Sqlite": { "ConnectionString": "Data Source=state.db" },
    ///                 "Migrations": { "BatchSize": 100, "OnFailure": "Quarantine" } }
    /// </code>
    /// The driver is resolved once the builder callback returns, so <see cref="AddDriver"/> may come before or after.
    /// </summary>
    public TypedStateBuilder UseConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Services.AddOptions<StateManagerOptions>().Configure(options =>
        {
            options.MaxKeyLength = ConfigurationValues.GetInt32(section, nameof(StateManagerOptions.MaxKeyLength)) ?? options.MaxKeyLength;
            options.MaxValueBytes = ConfigurationValues.GetInt32(section, nameof(StateManagerOptions.MaxValueBytes)) ?? options.MaxValueBytes;
            options.LockHolder = section[nameof(StateManagerOptions.LockHolder)] is { Length: > 0 } holder ? holder : options.LockHolder;
        });
        var migrations = section.GetSection(MigrationsKey);
        Services.AddOptions<StateMigrationOptions>().Configure(options =>
        {
            options.BatchSize = ConfigurationValues.GetInt32(migrations, nameof(StateMigrationOptions.BatchSize)) ?? options.BatchSize;
            options.MaxBatchAttempts = ConfigurationValues.GetInt32(migrations, nameof(StateMigrationOptions.MaxBatchAttempts)) ?? options.MaxBatchAttempts;
            options.OnFailure = ConfigurationValues.GetEnum<StateMigrationFailureAction>(migrations, nameof(StateMigrationOptions.OnFailure)) ?? options.OnFailure;
        });
        _configuration = section;
        return this;
    }

    internal void Complete()
    {
        if (_configuration is { } section && section[DriverKey] is { Length: > 0 } name)
        {
            if (!_namedDrivers.TryGetValue(name, out var use))
            {
                throw new InvalidOperationException(
                    $"The configured TypedState driver '{name}' is unknown. Known drivers: {string.Join(", ", _namedDrivers.Keys.Order(StringComparer.Ordinal))}. " +
                    "A driver package makes itself known with its AddXxx() builder method, e.g. b.AddSqlite().");
            }

            use(this, section.GetSection(name));
        }

        if (DriverFactory is null)
        {
            throw new InvalidOperationException(
                "No TypedState driver was chosen: call UseSqlite(\"Data Source=state.db\"), UseInMemory() or UseDriver(...) " +
                "on the builder, or set \"Driver\" in the section passed to UseConfiguration.");
        }
    }
}
