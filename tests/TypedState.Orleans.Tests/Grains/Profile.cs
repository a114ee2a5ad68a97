namespace TypedState.Orleans.Tests.Grains;

/// <summary>A plain class as grain state: stored as JSON under "orleans/" and the state name.</summary>
public sealed class Profile
{
    public string? DisplayName { get; set; }

    public int Updates { get; set; }
}
