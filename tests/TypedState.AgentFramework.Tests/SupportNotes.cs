using System.Text.Json.Nodes;

namespace TypedState.AgentFramework.Tests;

/// <summary>An agent's typed state, at version 2: version 1 called the ticket count "count".</summary>
[AgentState(Version = 2)]
public partial class SupportNotes
{
    public string Customer { get; set; } = string.Empty;

    public int Tickets { get; set; }

    private static void MigrateV1ToV2(JsonObject state)
    {
        state["tickets"] = state["count"]?.DeepClone();
        state.Remove("count");
    }
}
