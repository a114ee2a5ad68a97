namespace TypedState.Orleans.Tests.Grains;

/// <summary>A plain class as the state of grains that map to the global owner or to nothing.</summary>
public sealed class Tally
{
    public List<string> Names { get; set; } = [];

    public static async Task AddAsync(IPersistentState<Tally> tally, string name)
    {
        tally.State.Names.Add(name);
        await tally.WriteStateAsync();
    }
}
