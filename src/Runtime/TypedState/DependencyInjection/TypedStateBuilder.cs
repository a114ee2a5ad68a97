using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.DependencyInjection;

/// <summary>
/// Chooses the driver and settings of <c>services.AddTypedState(b => …)</c>. Drivers are chosen in code
/// (<c>UseInMemory()</c>, <c>UseSqlite(…)</c>, <see cref="UseDriver{TDriver}()"/>) or by name from configuration
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

    // The options of the chosen driver, validated when the host starts; only the chosen driver's, so that a driver
    // chosen in code and then replaced by configuration leaves no stale requirement behind.
    private Action<IServiceCollection>? _driverOptions;

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
        _driverOptions = null;
        return this;
    }

    /// <summary>
    /// Uses a driver built by <paramref name="factory"/> whose settings are <typeparamref name="TOptions"/>, bound
    /// through <see cref="IOptions{TOptions}"/> (so <c>services.Configure&lt;TOptions&gt;(…)</c> applies too) and
    /// checked by <paramref name="validate"/> when the host starts (<c>ValidateOnStart</c>) as well as when the options
    /// are first read. <paramref name="validate"/> throws an <see cref="ArgumentException"/> or an
    /// <see cref="InvalidOperationException"/> to refuse them; its message becomes the start-up error.
    /// </summary>
    public TypedStateBuilder UseDriver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(string name, Func<IServiceProvider, IStateDriver> factory, Action<TOptions, IServiceProvider> validate)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(validate);
        UseDriver(name, factory);
        _driverOptions = services => ValidateOnStart(services, validate);
        return this;
    }

    /// <summary>Validates <typeparamref name="TOptions"/> with <paramref name="validate"/>, at start-up and on first read.</summary>
    internal static void ValidateOnStart<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IServiceCollection services, Action<TOptions, IServiceProvider> validate)
        where TOptions : class
    {
        services.AddOptions<TOptions>().ValidateOnStart();
        if (services.Any(static d => d.ServiceType == typeof(StartupValidator<TOptions>)))
        {
            return;
        }

        services.AddSingleton(provider => new StartupValidator<TOptions>(provider, validate));
        services.AddSingleton<IValidateOptions<TOptions>>(static provider => provider.GetRequiredService<StartupValidator<TOptions>>());
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
    /// Only <c>Driver</c> is read here; the other settings are bound through <c>IOptions</c> when built, validated
    /// when the host starts, and keys nothing reads (a misspelt setting) are refused then.
    /// </summary>
    public TypedStateBuilder UseConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        // Read when the options are built (at the latest when the host starts), not here: later configuration
        // sources and services.Configure calls apply. Keys nothing reads are refused (ConfigurationValues.Bind).
        Services.AddOptions<StateManagerOptions>().Configure(options => ConfigurationValues.Bind(section, s =>
        {
            options.MaxKeyLength = ConfigurationValues.GetInt32(s, nameof(StateManagerOptions.MaxKeyLength)) ?? options.MaxKeyLength;
            options.MaxValueBytes = ConfigurationValues.GetInt32(s, nameof(StateManagerOptions.MaxValueBytes)) ?? options.MaxValueBytes;
            options.LockHolder = s[nameof(StateManagerOptions.LockHolder)] is { Length: > 0 } holder ? holder : options.LockHolder;

            // Read elsewhere: the driver's name, the migrator's sub-section and one sub-section per selectable driver.
            _ = s[DriverKey];
            _ = s.GetSection(MigrationsKey);
            foreach (var driver in _namedDrivers.Keys)
            {
                _ = s.GetSection(driver);
            }
        }));
        var migrations = section.GetSection(MigrationsKey);
        Services.AddOptions<StateMigrationOptions>().Configure(options => ConfigurationValues.Bind(migrations, m =>
        {
            options.BatchSize = ConfigurationValues.GetInt32(m, nameof(StateMigrationOptions.BatchSize)) ?? options.BatchSize;
            options.MaxBatchAttempts = ConfigurationValues.GetInt32(m, nameof(StateMigrationOptions.MaxBatchAttempts)) ?? options.MaxBatchAttempts;
            options.OnFailure = ConfigurationValues.GetEnum<StateMigrationFailureAction>(m, nameof(StateMigrationOptions.OnFailure)) ?? options.OnFailure;
        }));
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

        _driverOptions?.Invoke(Services);
    }
}
