namespace TypedState.AgentFramework.Workflows;

/// <summary>
/// A run's summary, kept in its guild with its checkpoints; the global list of runs holds one naming the run (its id and
/// when it was named) so the runs can be found.
/// </summary>
internal sealed class RunEntry
{
    public string RunId { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastCheckpointAt { get; set; }

    public long Checkpoints { get; set; }
}
