using Microsoft.Agents.AI.Workflows;

namespace TypedState.AgentFramework.Workflows;

/// <summary>A checkpoint of a run: a node of the run's checkpoint tree.</summary>
/// <param name="Checkpoint">The checkpoint, as the framework names it.</param>
/// <param name="ParentCheckpointId">The checkpoint it was created after (null for a root): resuming an older checkpoint starts a branch.</param>
/// <param name="Sequence">Its position in the run's commit order, from 0.</param>
/// <param name="CreatedAt">When it was stored.</param>
public sealed record StoredCheckpoint(CheckpointInfo Checkpoint, string? ParentCheckpointId, long Sequence, DateTimeOffset CreatedAt);
