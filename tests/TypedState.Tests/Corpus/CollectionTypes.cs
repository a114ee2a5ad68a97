using System.Collections.Frozen;
using System.Collections.Immutable;

namespace TypedState.Tests.Corpus;

/// <summary>How urgent a task is; written as a number, named as a dictionary key.</summary>
public enum Urgency
{
    Low,
    Normal,
    High,
}

/// <summary>The agents of a guild by id, with numbered and ranked lists: dictionaries keyed by Guid, numbers and enums.</summary>
[GuildState(Key = "corpus/roster")]
public partial class AgentRoster
{
    public Dictionary<Guid, RosterEntry> Agents { get; set; } = [];

    public Dictionary<int, string> SeatByNumber { get; set; } = [];

    public IReadOnlyDictionary<long, List<string>> ShiftsByEpoch { get; set; } = new Dictionary<long, List<string>>();

    public Dictionary<Urgency, List<Guid>> Escalations { get; set; } = [];
}

/// <summary>One agent of a roster.</summary>
public record RosterEntry(string Name, string Model)
{
    public ImmutableArray<string> Skills { get; init; } = [];
}

/// <summary>An immutable snapshot of an agent's configuration, as shared between threads.</summary>
[AgentState(Key = "corpus/config-snapshot")]
public partial record ConfigSnapshot
{
    public ImmutableArray<string> EnabledTools { get; init; } = [];

    public ImmutableList<PromptRule> Rules { get; init; } = [];

    public ImmutableDictionary<string, int> Limits { get; init; } = [];

    public ImmutableHashSet<int> Ports { get; init; } = [];

    public IImmutableList<Urgency>? Levels { get; init; }
}

/// <summary>One rule of a prompt.</summary>
public sealed record PromptRule(string When, string Then);

/// <summary>A catalog of models, built once and read by every agent: frozen collections.</summary>
[GlobalState(Key = "corpus/model-catalog")]
public partial class ModelCatalog
{
    public FrozenDictionary<string, decimal> Prices { get; set; } = FrozenDictionary<string, decimal>.Empty;

    public FrozenSet<string> Blocked { get; set; } = [];

    public FrozenDictionary<Urgency, string> Fallbacks { get; set; } = FrozenDictionary<Urgency, string>.Empty;
}
