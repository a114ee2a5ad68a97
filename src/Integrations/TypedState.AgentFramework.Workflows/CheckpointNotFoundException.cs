namespace TypedState.AgentFramework.Workflows;

/// <summary>A checkpoint that is not in the store (never created, removed by retention or with its run) was asked for.</summary>
public sealed class CheckpointNotFoundException : StateException
{
    /// <summary>Creates the exception for <paramref name="checkpointId"/> of run <paramref name="runId"/>.</summary>
    public CheckpointNotFoundException(string runId, string checkpointId, StateOwner owner, string key)
        : base($"Run '{runId}' has no checkpoint '{checkpointId}': it was never created here, or retention or the run's deletion removed it.", owner, key)
    {
        RunId = runId;
        CheckpointId = checkpointId;
    }

    /// <summary>The run asked for.</summary>
    public string RunId { get; }

    /// <summary>The checkpoint asked for.</summary>
    public string CheckpointId { get; }
}
