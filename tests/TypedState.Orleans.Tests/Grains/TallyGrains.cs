namespace TypedState.Orleans.Tests.Grains;

/// <summary>A registry mapped to the global owner: each registry's records are keyed by the grain.</summary>
public interface IRegistryGrain : IGrainWithStringKey
{
    Task AddAsync(string name);
}

/// <summary>A counter whose grain type nothing maps: agent "key" of guild "counter".</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task AddAsync(string name);
}

public sealed class RegistryGrain([PersistentState("names", GrainStorageNames.TypedState)] IPersistentState<Tally> tally) : Grain, IRegistryGrain
{
    public Task AddAsync(string name) => Tally.AddAsync(tally, name);
}

public sealed class CounterGrain([PersistentState("names", GrainStorageNames.TypedState)] IPersistentState<Tally> tally) : Grain, ICounterGrain
{
    public Task AddAsync(string name) => Tally.AddAsync(tally, name);
}
