using System.Text.Json.Nodes;

namespace TypedState.Orleans.Tests.Grains;

/// <summary>An agent grain's visits: generated agent state at version 2, whose version 1 called the total "count".</summary>
[AgentState(Version = 2)]
public partial class VisitLog
{
    public int Total { get; set; }

    public List<string> Visitors { get; set; } = [];

    private static void MigrateV1ToV2(JsonObject state)
    {
        state["total"] = state["count"]?.DeepClone();
        state.Remove("count");
    }
}
