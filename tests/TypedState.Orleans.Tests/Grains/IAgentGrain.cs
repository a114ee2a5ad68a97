namespace TypedState.Orleans.Tests.Grains;

/// <summary>An agent as a grain: key "guild/agent".</summary>
public interface IAgentGrain : IGrainWithStringKey
{
    Task<int> VisitAsync(string visitor);

    Task<int> GetTotalAsync();

    Task SetProfileAsync(string displayName);

    Task<string?> GetProfileAsync();

    Task ClearProfileAsync();

    /// <summary>Which activation answers, and on which silo.</summary>
    Task<string> GetActivationAsync();

    Task<string> GetSiloAsync();
}
