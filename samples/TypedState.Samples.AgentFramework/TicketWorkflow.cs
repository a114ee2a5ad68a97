using Microsoft.Agents.AI.Workflows;
using TypedState.AgentFramework.Workflows;

namespace TypedState.Samples.AgentFramework;

/// <summary>
/// A ticket workflow (triage, a supervisor's approval, draft, close) checkpointed in TypedState: the first run of the
/// sample triages the ticket and exits while the workflow waits for the approval; the next run resumes from the latest
/// checkpoint, approves and finishes.
/// </summary>
/// <remarks>
/// The approval is the interruption point on purpose: a run whose event stream is merely left keeps running in the
/// background until it is disposed, so where it stopped would be a matter of timing.
/// </remarks>
internal static class TicketWorkflow
{
    public const string RunId = "ticket-42";

    public static async Task RunAsync(TypedStateCheckpointStore store, CheckpointManager manager)
    {
        var latest = await manager.GetLatestCheckpointAsync(RunId);
        if (latest is null)
        {
            Console.WriteLine($"workflow {RunId}: starting; it waits for a supervisor's approval (run the sample again to resume)");
            await using var run = await InProcessExecution.RunStreamingAsync(Build(), "ticket 42", manager, RunId);
            await foreach (var evt in run.WatchStreamAsync(blockOnPendingRequest: false))
            {
                if (evt is RequestInfoEvent)
                {
                    Console.WriteLine($"workflow {RunId}: waiting for approval");
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
                if (evt is RequestInfoEvent { Request: var request } && request.TryGetDataAs<string>(out var ticket))
                {
                    Console.WriteLine($"workflow {RunId}: approving");
                    await resumed.SendResponseAsync(request.CreateResponse($"{ticket} > approved"));
                }
                else if (evt is WorkflowOutputEvent output)
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
        var approval = RequestPort.Create<string, string>("approval");
        var draft = Step("draft");
        var close = Step("close");
        return new WorkflowBuilder(triage)
            .AddEdge(triage, approval)
            .AddEdge(approval, draft)
            .AddEdge(draft, close)
            .WithOutputFrom(close)
            .Build();
    }
}
