using System.Text.Json;
using System.Text.Json.Nodes;

namespace TypedState.Tests.Corpus;

/// <summary>An agent's calendar: dates and times of day.</summary>
[AgentState(Key = "corpus/schedule")]
public partial class ScheduleState
{
    public DateOnly Today { get; set; }

    public TimeOnly? QuietFrom { get; set; }

    public List<Appointment> Appointments { get; set; } = [];

    public DateOnly[] Holidays { get; set; } = [];
}

/// <summary>One appointment.</summary>
public record Appointment(string Title, DateOnly Day, TimeOnly Start, TimeOnly? End);

/// <summary>Results of tools kept as the JSON they returned.</summary>
[AgentState(Key = "corpus/tool-results")]
public partial class ToolResultCache
{
    public Dictionary<string, JsonElement> ByCall { get; set; } = [];

    public JsonElement? Last { get; set; }

    public JsonObject? Scratch { get; set; }

    public JsonArray History { get; set; } = [];

    public JsonNode? Anything { get; set; }

    public JsonValue? Marker { get; set; }
}

/// <summary>Web pages an agent read, by address.</summary>
[AgentState(Key = "corpus/bookmarks")]
public partial class BookmarkState
{
    public List<Bookmark> Pages { get; set; } = [];

    public Uri? Home { get; set; }
}

/// <summary>One page: its address may be relative.</summary>
public class Bookmark
{
    public Uri Address { get; set; } = new("about:blank");

    public string? Title { get; set; }

    public DateOnly Saved { get; set; }
}

/// <summary>Readings of a device an agent watches: small and very large numbers.</summary>
[GlobalState(Key = "corpus/telemetry")]
public partial class TelemetryState
{
    public Half Temperature { get; set; }

    public List<Half> Samples { get; set; } = [];

    public Int128 TotalBytes { get; set; }

    public UInt128? Checksum { get; set; }

    public long Count { get; set; }
}
