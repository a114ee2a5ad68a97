namespace TypedState.Orleans.Tests.Grains;

public sealed class AgentGrain(
    [PersistentState("visits", GrainStorageNames.TypedState)] IPersistentState<VisitLog> visits,
    [PersistentState("profile", GrainStorageNames.TypedState)] IPersistentState<Profile> profile,
    ILocalSiloDetails silo) : Grain, IAgentGrain
{
    private readonly string _activation = Guid.NewGuid().ToString("N");

    public async Task<int> VisitAsync(string visitor)
    {
        visits.State.Total++;
        visits.State.Visitors.Add(visitor);
        await visits.WriteStateAsync();
        return visits.State.Total;
    }

    public Task<int> GetTotalAsync() => Task.FromResult(visits.State.Total);

    public async Task SetProfileAsync(string displayName)
    {
        profile.State.DisplayName = displayName;
        profile.State.Updates++;
        await profile.WriteStateAsync();
    }

    public Task<string?> GetProfileAsync() => Task.FromResult(profile.RecordExists ? profile.State.DisplayName : null);

    public Task ClearProfileAsync() => profile.ClearStateAsync();

    public Task<string> GetActivationAsync() => Task.FromResult(_activation);

    public Task<string> GetSiloAsync() => Task.FromResult(silo.SiloAddress.ToString());
}
