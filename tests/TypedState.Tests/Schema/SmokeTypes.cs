using System.Text.Json.Nodes;

namespace TypedState.Tests.Schema;

[AgentState(Version = 3)]
public partial class ChatMemory
{
    public List<string> Topics { get; set; } = [];

    public int Turns { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    // v1 stored "topic" as one string
    private static void MigrateV1ToV2(JsonObject state)
    {
        var topic = state["topic"]?.GetValue<string>();
        state.Remove("topic");
        state["topics"] = topic is null ? [] : new JsonArray(topic);
    }

    // v2 named "turns" "count"
    private static void MigrateV2ToV3(JsonObject state)
    {
        state["turns"] = state["count"]?.DeepClone();
        state.Remove("count");
    }
}

[GuildState]
public partial record KnowledgeBase(string Name)
{
    public Dictionary<string, FactEntry> Facts { get; init; } = [];
}

[StatePart]
public partial record FactEntry
{
    public string Text { get; init; } = "";

    public double Confidence { get; init; }
}
