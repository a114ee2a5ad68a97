namespace TypedState.AgentFramework.Workflows;

/// <summary>A workflow run that has checkpoints in the store.</summary>
/// <param name="RunId">The run's id (the framework's checkpoint session id); its guild holds its checkpoints.</param>
/// <param name="CreatedAt">When its first checkpoint was stored.</param>
/// <param name="LastCheckpointAt">When its latest checkpoint was stored.</param>
/// <param name="CheckpointsCreated">How many checkpoints it has created (retention may have removed some).</param>
public sealed record StoredRun(string RunId, DateTimeOffset CreatedAt, DateTimeOffset LastCheckpointAt, long CheckpointsCreated);
