#if SAMPLE_SCHEMA_V1
namespace TypedState.Samples.Guild.State;

/// <summary>
/// The greeter's own memory, schema version 1: a visit count per user. Build with <c>-p:SampleSchema=1</c> to run
/// this version; the default build is version 2, which upgrades these records at startup.
/// </summary>
[AgentState(Version = 1)]
public partial class GreeterMemory
{
    /// <summary>Visits per user.</summary>
    public Dictionary<string, int> Visits { get; set; } = [];

    /// <summary>Counts a visit; returns the user's visit number.</summary>
    public int RecordVisit(string user, DateTimeOffset now)
    {
        _ = now;
        Visits[user] = Visits.GetValueOrDefault(user) + 1;
        return Visits[user];
    }
}
#else
using System.Text.Json.Nodes;

namespace TypedState.Samples.Guild.State;

/// <summary>
/// The greeter's own memory, schema version 2: per user, the visit count and when they were last seen. Version 1
/// stored only counts (<c>"visits": {"ada": 3}</c>); <see cref="MigrateV1ToV2"/> turns those into visitor records.
/// </summary>
[AgentState(Version = 2)]
public partial class GreeterMemory
{
    /// <summary>What the greeter remembers about each user.</summary>
    public Dictionary<string, Visitor> Visitors { get; set; } = [];

    /// <summary>Counts a visit; returns the user's visit number.</summary>
    public int RecordVisit(string user, DateTimeOffset now)
    {
        var visitor = Visitors.GetValueOrDefault(user) ?? new Visitor();
        Visitors[user] = visitor with { Visits = visitor.Visits + 1, LastSeen = now };
        return visitor.Visits + 1;
    }

    // v1 → v2: {"visits": {"ada": 3}} becomes {"visitors": {"ada": {"visits": 3, "lastSeen": null}}}.
    private static void MigrateV1ToV2(JsonObject state)
    {
        var visitors = new JsonObject();
        if (state["visits"] is JsonObject visits)
        {
            foreach (var (user, count) in visits)
            {
                visitors[user] = new JsonObject { ["visits"] = count?.GetValue<int>() ?? 0, ["lastSeen"] = null };
            }
        }

        state.Remove("visits");
        state["visitors"] = visitors;
    }
}

/// <summary>One user as the greeter remembers them.</summary>
[StatePart]
public partial record Visitor
{
    /// <summary>How many times the user came.</summary>
    public int Visits { get; init; }

    /// <summary>When the user was last seen; null for visits counted before version 2.</summary>
    public DateTimeOffset? LastSeen { get; init; }
}
#endif
