using Microsoft.Extensions.DependencyInjection;
using TypedState.AgentFramework.Workflows;
using TypedState.DependencyInjection;

namespace TypedState.AgentFramework.Tests;

/// <summary>
/// The framework's sessions and chat history on one driver: each driver's class supplies the store, and every
/// test "restarts" by opening a new service provider over the same store.
/// </summary>
public abstract class AgentTestBase : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>Chooses the driver: every call must reach the same stored data.</summary>
    protected abstract void UseDriver(TypedStateBuilder builder);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    internal AgentHost Open(Action<AgentFrameworkOptions>? configure = null, int? keepLastCheckpoints = null)
    {
        var provider = new ServiceCollection()
            .AddTypedState(b =>
            {
                UseDriver(b);
                b.AddAgentFramework(configure).AddAgentFrameworkCheckpoints(keepLastCheckpoints);
            })
            .BuildServiceProvider();
        _providers.Add(provider);
        return new AgentHost(provider);
    }
}
