using Microsoft.Extensions.DependencyInjection;
using TypedState.DependencyInjection;

namespace TypedState.Orleans.Tests.Stores;

/// <summary>
/// A TypedState store the tests share between silos and the "outside" (operators' code): each manager it creates is
/// a separate client of the same store, as separate processes would be.
/// </summary>
public abstract class TestStore : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>Chooses the store's driver.</summary>
    public abstract void Configure(TypedStateBuilder builder);

    /// <summary>The <c>typedstate</c> options that open the store.</summary>
    public abstract IReadOnlyList<string> ToolOptions { get; }

    /// <summary>A new manager on the store (its own connections).</summary>
    public IStateManager NewManager()
    {
        var services = new ServiceCollection().AddTypedState(Configure).BuildServiceProvider();
        lock (_providers)
        {
            _providers.Add(services);
        }

        return services.GetRequiredService<IStateManager>();
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }
}
