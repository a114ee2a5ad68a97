namespace TypedState.AgentFramework.Workflows;

/// <summary>One checkpoint of a run in the run's index: its id, parent and time; its payload is a separate record.</summary>
internal sealed class CheckpointEntry
{
    public string CheckpointId { get; set; } = string.Empty;

    public string? ParentId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
