namespace TypedState.Samples.Orleans;

/// <summary>What each agent grain remembers: its own agent state, the same record the TypedState API and tool read.</summary>
[AgentState(Version = 1, Key = "memory")]
public partial class AgentMemory
{
    public int Turns { get; set; }

    public List<string> Heard { get; set; } = [];
}
