using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TypedState.Orleans.Tests.Grains;

namespace TypedState.Orleans.Tests.Stores;

/// <summary>
/// An in-process Orleans cluster of two silos whose grains keep their state in one TypedState store, and a manager
/// on the same store outside the cluster (what an operator's code or the tool would use).
/// </summary>
public class StoreCluster<TStore> : IAsyncLifetime
    where TStore : TestStore, new()
{
    private InProcessTestCluster? _cluster;

    public TStore Store { get; } = new();

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not deployed.");

    public IClusterClient Client => Cluster.Client;

    /// <summary>A manager outside the silos, on the same store.</summary>
    public IStateManager Outside { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Store.InitializeAsync();
        Outside = Store.NewManager();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddTypedState(Store.Configure);
            silo.AddTypedStateGrainStorage(GrainStorageNames.TypedState, o => o
                .MapAgents<AgentGrain>()
                .MapGuilds<GuildGrain>()
                .MapGlobal<RegistryGrain>());
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await Store.DisposeAsync();
    }
}
