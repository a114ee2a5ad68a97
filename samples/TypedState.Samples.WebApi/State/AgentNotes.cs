namespace TypedState.Samples.WebApi.State;

/// <summary>What one agent has noted, in its own typed, versioned agent state.</summary>
[AgentState]
public partial class AgentNotes
{
    /// <summary>The notes, oldest first.</summary>
    public List<string> Notes { get; set; } = [];
}
