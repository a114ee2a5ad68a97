using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TypedState;
using TypedState.DependencyInjection;
using TypedState.Guilds;
using TypedState.Storage;
using TypedState.Timeline;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TypedState: <c>services.AddTypedState(b => b.UseSqlite("Data Source=state.db"))</c>.</summary>
public static class TypedStateServiceCollectionExtensions
{
    /// <summary>
    /// Registers the chosen <see cref="IStateDriver"/>, <see cref="IStateManager"/>, the <see cref="GuildHost"/> and the
    /// <see cref="StateMigrator"/> of the registered state types as singletons (and, with
    /// <see cref="TypedStateBuilder.MigrateOnStartup"/>, a hosted service that runs it).
    /// </summary>
    /// <exception cref="InvalidOperationException">No driver was chosen, or configuration names an unknown one.</exception>
    public static IServiceCollection AddTypedState(this IServiceCollection services, Action<TypedStateBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new TypedStateBuilder(services);
        configure(builder);
        builder.Complete();

        var driverFactory = builder.DriverFactory!;
        TypedStateBuilder.ValidateOnStart<StateManagerOptions>(services, static (options, _) => options.Validate());
        services.Replace(ServiceDescriptor.Singleton(driverFactory));
        services.TryAddSingleton(provider => new StateManager(
            provider.GetRequiredService<IStateDriver>(),
            provider.GetRequiredService<IOptions<StateManagerOptions>>(),
            provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IStateManager>(provider => provider.GetRequiredService<StateManager>());
        services.TryAddSingleton(provider => provider.GetRequiredService<StateManager>().Timelines);
        services.TryAddSingleton(provider => new GuildHost(provider.GetRequiredService<IStateManager>(), provider.GetService<ILoggerFactory>()) { Timelines = provider.GetRequiredService<IGuildTimelines>() });
        TypedStateBuilder.ValidateOnStart<StateMigrationOptions>(services, static (options, _) => options.Validate());
        services.TryAddSingleton(builder.StateTypes);
        services.TryAddSingleton(provider => new StateMigrator(
            provider.GetRequiredService<StateManager>(),
            provider.GetRequiredService<StateTypeRegistry>(),
            provider.GetRequiredService<IOptions<StateMigrationOptions>>(),
            provider.GetService<ILogger<StateMigrator>>()));
        services.TryAddSingleton(provider => new StateQuarantine(provider.GetRequiredService<StateManager>()));
        if (builder.MigratesOnStartup)
        {
            services.AddHostedService<StateMigrationHostedService>();
        }

        return services;
    }
}
