namespace TypedState.Samples.Guild.State;

/// <summary>What the guild knows about people: shared by its agents, removed with the guild.</summary>
[GuildState(Version = 1)]
public partial class KnowledgeBase
{
    /// <summary>One fact per person.</summary>
    public Dictionary<string, string> People { get; set; } = [];
}
