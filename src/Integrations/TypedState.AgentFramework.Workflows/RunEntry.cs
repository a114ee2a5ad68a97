namespace TypedState.AgentFramework.Workflows;

/// <summary>A run in the global list of runs (a run's own records live in its guild).</summary>
internal sealed class RunEntry
{
    public string RunId { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastCheckpointAt { get; set; }

    public long Checkpoints { get; set; }
}
