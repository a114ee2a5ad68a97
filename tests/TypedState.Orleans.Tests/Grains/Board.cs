namespace TypedState.Orleans.Tests.Grains;

/// <summary>A guild grain's notice board: generated guild state.</summary>
[GuildState]
public partial class Board
{
    public List<string> Notes { get; set; } = [];
}
