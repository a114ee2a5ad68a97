namespace TypedState.Tests.Schema;

/// <summary>Tokens counted for one turn or one tool: a struct part, which has no null.</summary>
[StatePart]
public partial struct TokenTally
{
    public int Input { get; set; }

    public int Output { get; set; }
}

/// <summary>One tool call of an agent: its tool is required.</summary>
[StatePart]
public partial class ToolCallEntry
{
    public required string Tool { get; init; }

    public string? Result { get; set; }
}

/// <summary>An agent's token ledger: a required model name, struct parts alone, in a list and as dictionary values.</summary>
[AgentState(Key = "strict/ledger")]
public partial class TokenLedger
{
    public required string Model { get; init; }

    public TokenTally Total { get; set; }

    public List<TokenTally> PerTurn { get; set; } = [];

    public Dictionary<string, TokenTally> PerTool { get; set; } = [];

    public List<ToolCallEntry> Calls { get; set; } = [];
}
