using Microsoft.Agents.AI.Workflows;
using TypedState.AgentFramework.Workflows;

namespace TypedState.Samples.AgentFramework;

/// <summary>
/// A three-step ticket workflow (triage, draft, close) checkpointed in TypedState: the first run of the sample stops
/// after the first step, as if the process died; the next run resumes from the latest checkpoint and finishes.
/// </summary>
internal static class TicketWorkflow
{
    public const string RunId = "ticket-42";

    public static async Task RunAsync(TypedStateCheckpointStore store)
    {
        var manager = CheckpointManager.CreateJson(store);
        var latest = await manager.GetLatestCheckpointAsync(RunId);
        if (latest is null)
        {
            Console.WriteLine($"workflow {RunId}: starting, and stopping after the first step (run the sample again to resume)");
            await using var run = await InProcessExecution.RunStreamingAsync(Build(), "ticket 42", manager, RunId);
            await foreach (var evt in run.WatchStreamAsync())
            {
                if (evt is SuperStepCompletedEvent { CompletionInfo.Checkpoint: not null })
                {
                    break;
                }
            }

            return;
        }

        var checkpoints = await store.ListCheckpointsAsync(RunId).CountAsync();
        Console.WriteLine($"workflow {RunId}: resuming from checkpoint {latest.CheckpointId} ({checkpoints} stored)");
        await using (var resumed = await InProcessExecution.ResumeStreamingAsync(Build(), latest, manager))
        {
            await foreach (var evt in resumed.WatchStreamAsync())
            {
                if (evt is WorkflowOutputEvent output)
                {
                    Console.WriteLine($"workflow {RunId}: finished: {output.Data}");
                }
            }
        }

        // Done: removing the run's guild removes its checkpoints (and any state its agents kept there).
        await store.DeleteRunAsync(RunId);
    }

    private static Workflow Build()
    {
        ExecutorBinding Step(string name) => ((Func<string, string>)(input =>
        {
            Console.WriteLine($"  step {name}");
            return $"{input} > {name}";
        })).BindAsExecutor(name);

        var triage = Step("triage");
        var draft = Step("draft");
        var close = Step("close");
        return new WorkflowBuilder(triage).AddEdge(triage, draft).AddEdge(draft, close).WithOutputFrom(close).Build();
    }
}
