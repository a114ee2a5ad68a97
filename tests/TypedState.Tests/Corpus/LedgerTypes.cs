namespace TypedState.Tests.Corpus;

/// <summary>What a guild spent on models.</summary>
[GuildState(Key = "corpus/cost-ledger")]
public partial class CostLedger
{
    public Dictionary<string, ModelPrice> Prices { get; set; } = [];

    public List<CostEntry> Entries { get; set; } = [];

    public decimal Total { get; set; }
}

/// <summary>A model's price: get-only properties set by its constructor.</summary>
public sealed class ModelPrice(decimal inputPerMillion, decimal outputPerMillion)
{
    public decimal InputPerMillion { get; } = inputPerMillion;

    public decimal OutputPerMillion { get; } = outputPerMillion;
}

/// <summary>One charge.</summary>
public record CostEntry(string Model, int InputTokens, int OutputTokens, decimal Cost)
{
    public string? Agent { get; init; }

    public DateTimeOffset At { get; init; }
}

/// <summary>The files an agent team works on.</summary>
[GuildState(Key = "corpus/workspace")]
public partial class Workspace
{
    public string Root { get; set; } = "/";

    public List<WorkspaceFile> Files { get; set; } = [];

    public Dictionary<string, string> Locks { get; set; } = [];
}

/// <summary>One file and its revisions.</summary>
public class WorkspaceFile
{
    public string Path { get; set; } = "";

    public byte[]? Content { get; set; }

    public List<FileRevision> Revisions { get; set; } = [];

    public bool ReadOnly { get; set; }
}

/// <summary>One revision of a file, with an internal setter.</summary>
public class FileRevision
{
    public int Number { get; set; }

    [System.Text.Json.Serialization.JsonInclude]
    public string Author { get; internal set; } = "";

    public DateTimeOffset At { get; set; }
}
