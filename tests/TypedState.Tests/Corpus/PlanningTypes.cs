using System.Text.Json.Serialization;

namespace TypedState.Tests.Corpus;

/// <summary>Where a plan step stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum StepStatus
{
    Todo,
    Running,
    Done,
    Skipped,
}

/// <summary>An agent's plan: a goal and ordered steps.</summary>
[AgentState(Key = "corpus/plan", Version = 1)]
public partial record PlanState(string Goal)
{
    public List<PlanStep> Steps { get; init; } = [];

    public PlanBudget Budget { get; init; } = new(20, TimeSpan.FromMinutes(5));
}

/// <summary>One step of a plan, with steps of its own (the reached types refer to themselves).</summary>
public class PlanStep
{
    public int Order { get; set; }

    public string Title { get; set; } = "";

    public StepStatus Status { get; set; }

    public List<string> DependsOn { get; set; } = [];

    public List<PlanStep> Substeps { get; set; } = [];

    // Get-only: populated (System.Text.Json populates it only when asked to, with the attribute).
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public List<string> Notes { get; } = [];
}

/// <summary>What a plan may spend: a positional record with defaults.</summary>
public record PlanBudget(int MaxSteps = 10, TimeSpan? MaxTime = null);

/// <summary>A queue of tasks shared by a guild.</summary>
[GuildState(Key = "corpus/task-queue")]
public partial class TaskBoard
{
    public List<QueuedTask> Pending { get; set; } = [];

    public QueuedTask? Current { get; set; }

    // Get-only collections, populated: who claimed which task, and who watches the board.
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public Dictionary<string, int> Claims { get; } = [];

    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public ISet<string> Watchers { get; } = new HashSet<string>();
}

/// <summary>A queued task; a follow-up is another task (a chain of any length).</summary>
public class QueuedTask
{
    public string Id { get; set; } = "";

    public int Priority { get; set; }

    public int Attempts { get; set; }

    public QueuedTask? FollowUp { get; set; }
}

/// <summary>A checkpoint of an agent's run: entries by name, struct values.</summary>
[AgentState(Key = "corpus/checkpoint")]
public partial struct CheckpointState
{
    public string Label { get; set; }

    public long Sequence { get; set; }

    public Dictionary<string, CheckpointEntry> Entries { get; set; }
}

/// <summary>Where one entry of a checkpoint lies.</summary>
public struct CheckpointEntry
{
    public long Offset { get; set; }

    public int Length { get; set; }

    public string? Hash { get; set; }
}
