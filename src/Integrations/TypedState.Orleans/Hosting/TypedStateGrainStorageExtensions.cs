using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Metadata;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace TypedState.Orleans;

/// <summary>
/// Registers TypedState grain storage providers in a silo, keyed by name as Orleans' own providers are: grains name
/// the provider in <c>[PersistentState("state", "name")]</c> or <c>[StorageProvider(ProviderName = "name")]</c>.
/// The store is the silo's <see cref="IStateManager"/> (<c>services.AddTypedState(…)</c>) unless
/// <see cref="TypedStateGrainStorageOptions.StateManager"/> names another.
/// </summary>
public static class TypedStateGrainStorageExtensions
{
    // One overload per builder, each with an optional configuration: the receiver types keep every call unambiguous.
#pragma warning disable RS0026
    private const string TypedStateNamespace = "TypedState";

    /// <summary>Adds a TypedState grain storage provider named <paramref name="name"/>.</summary>
    public static ISiloBuilder AddTypedStateGrainStorage(this ISiloBuilder builder, string name, Action<TypedStateGrainStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTypedStateGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds a TypedState grain storage provider as the silo's default grain storage.</summary>
    public static ISiloBuilder AddTypedStateGrainStorageAsDefault(this ISiloBuilder builder, Action<TypedStateGrainStorageOptions>? configure = null) =>
        builder.AddTypedStateGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds a TypedState grain storage provider named <paramref name="name"/> to a silo's services.</summary>
    public static IServiceCollection AddTypedStateGrainStorage(this IServiceCollection services, string name, Action<TypedStateGrainStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = services.AddOptions<TypedStateGrainStorageOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // The store's errors (StateException and its family) reach the grain's callers, and an
        // InconsistentStateException carries the store's conflict inside: Orleans serializes only exceptions of the
        // namespaces it is told of.
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add(TypedStateNamespace));
        services.AddGrainStorage(name, static (sp, name) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<TypedStateGrainStorageOptions>>().Get(name);
            var store = options.StateManager?.Invoke(sp) ?? sp.GetRequiredService<IStateManager>();
            return new TypedStateGrainStorage(name, options, store, sp.GetService<GrainTypeResolver>(), sp.GetService<IActivatorProvider>());
        });
        return services;
    }
#pragma warning restore RS0026
}
