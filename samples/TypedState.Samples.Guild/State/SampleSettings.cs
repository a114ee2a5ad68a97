namespace TypedState.Samples.Guild.State;

/// <summary>Application-wide settings: shared by every guild, never removed with one.</summary>
[GlobalState(Version = 1)]
public partial class SampleSettings
{
    /// <summary>How many times the sample ran against this store.</summary>
    public int Runs { get; set; }

    /// <summary>What the greeter says.</summary>
    public string Greeting { get; set; } = "Hello";
}
