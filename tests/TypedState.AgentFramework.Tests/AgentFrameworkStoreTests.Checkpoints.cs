using System.Text.Json;
using Microsoft.Agents.AI.Workflows;
using TypedState.AgentFramework.Workflows;

namespace TypedState.AgentFramework.Tests;

// Workflow checkpoints: resuming after a restart, branches, retention, run deletion, and ports of the framework's
// checkpoint store tests (index order, parent filter, run isolation, missing checkpoint).
public abstract partial class AgentFrameworkStoreTests
{
    private static readonly JsonElement s_data = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["test"] = "data" });

    private static TypedStateCheckpointStore Checkpoints(AgentHost host) =>
        new(host.State, keepLast: null, AgentFrameworkOptions.DefaultChunkBytes);

    /// <summary>Steps a, b and c with an approval between a and b: the run halts there until it gets a response.</summary>
    private static Workflow Pipeline(List<string> trace)
    {
        ExecutorBinding Step(string name) => ((Func<string, string>)(input =>
        {
            lock (trace)
            {
                trace.Add(name);
            }

            return $"{input}>{name}";
        })).BindAsExecutor(name);

        var a = Step("a");
        var approve = RequestPort.Create<string, string>("approve");
        var b = Step("b");
        var c = Step("c");
        return new WorkflowBuilder(a).AddEdge(a, approve).AddEdge(approve, b).AddEdge(b, c).WithOutputFrom(c).Build();
    }

    /// <summary>
    /// Watches a run to its end: its checkpoints and its output, answering each approval request with the request's
    /// data plus "&gt;approved".
    /// </summary>
    private static async Task<(List<CheckpointInfo> Checkpoints, string? Output)> WatchAsync(StreamingRun run)
    {
        List<CheckpointInfo> checkpoints = [];
        string? output = null;
        await foreach (var evt in run.WatchStreamAsync())
        {
            if (evt is WorkflowOutputEvent outputEvent)
            {
                output = outputEvent.Data?.ToString();
            }
            else if (evt is SuperStepCompletedEvent { CompletionInfo.Checkpoint: { } checkpoint })
            {
                checkpoints.Add(checkpoint);
            }
            else if (evt is RequestInfoEvent { Request: var request } && request.TryGetDataAs<string>(out var data))
            {
                await run.SendResponseAsync(request.CreateResponse($"{data}>approved"));
            }
        }

        return (checkpoints, output);
    }

    [Fact]
    public async Task An_interrupted_workflow_resumes_from_its_latest_checkpoint_after_a_restart()
    {
        // The first process runs until the workflow waits for an approval, then goes away. Breaking out of the event
        // stream would not do: the run goes on in the background until disposed, so where it stopped would be a race.
        var first = Open();
        List<string> trace = [];
        List<CheckpointInfo> checkpoints = [];
        await using (var run = await InProcessExecution.RunStreamingAsync(Pipeline(trace), "start", first.CheckpointManager, "run-1"))
        {
            await foreach (var evt in run.WatchStreamAsync(blockOnPendingRequest: false))
            {
                Assert.IsNotType<WorkflowOutputEvent>(evt);
                if (evt is SuperStepCompletedEvent { CompletionInfo.Checkpoint: { } checkpoint })
                {
                    checkpoints.Add(checkpoint);
                }
            }

            Assert.Equal(RunStatus.PendingRequests, await run.GetStatusAsync());
        }

        Assert.Equal(["a"], trace);
        var second = Open();
        var manager = second.CheckpointManager;
        var latest = await manager.GetLatestCheckpointAsync("run-1");
        Assert.NotNull(latest);
        Assert.Equal(checkpoints[^1], latest);

        // The pending request comes back from the stored checkpoint: answering it finishes the run without a again.
        List<string> resumedTrace = [];
        await using var resumed = await InProcessExecution.ResumeStreamingAsync(Pipeline(resumedTrace), latest, manager);
        var (_, result) = await WatchAsync(resumed);

        Assert.Equal("start>a>approved>b>c", result);
        Assert.Equal(["b", "c"], resumedTrace);
        Assert.Contains("run-1", await second.CheckpointStore.ListRunsAsync().Select(r => r.RunId).ToListAsync());
    }

    [Fact]
    public async Task Resuming_an_older_checkpoint_starts_a_branch_in_the_checkpoint_tree()
    {
        List<string> trace = [];
        List<CheckpointInfo> original;
        await using (var run = await InProcessExecution.RunStreamingAsync(Pipeline(trace), "x", Open().CheckpointManager, "run-b"))
        {
            (original, var output) = await WatchAsync(run);
            Assert.Equal("x>a>approved>b>c", output);
        }

        var host = Open();
        var restarted = host.CheckpointStore;
        var manager = host.CheckpointManager;
        List<string> branchTrace = [];
        List<CheckpointInfo> branched;
        await using (var branch = await InProcessExecution.ResumeStreamingAsync(Pipeline(branchTrace), original[0], manager))
        {
            (branched, var output) = await WatchAsync(branch);
            Assert.Equal("x>a>approved>b>c", output);
        }

        // The branch ran on from the first checkpoint (after a), beside the original run's later checkpoints.
        Assert.Equal(["b", "c"], branchTrace);
        var tree = await restarted.ListCheckpointsAsync("run-b").ToListAsync();
        Assert.Equal([.. original, .. branched], tree.Select(c => c.Checkpoint));
        var children = tree.Where(c => c.ParentCheckpointId == original[0].CheckpointId).Select(c => c.Checkpoint).ToList();
        Assert.Equal([original[1], branched[0]], children);
        Assert.Equal(tree.Select(c => c.Sequence), tree.Select(c => c.Sequence).Order());
        Assert.Equal(children, await restarted.RetrieveIndexAsync("run-b", original[0]));
        Assert.Equal(tree[^1].Checkpoint, await manager.GetLatestCheckpointAsync("run-b"));
    }

    [Fact]
    public async Task Retention_keeps_the_latest_checkpoints_and_a_deleted_run_takes_its_agents_state_along()
    {
        var host = Open(keepLastCheckpoints: 2);
        var store = host.CheckpointStore;
        List<CheckpointInfo> created = [];
        for (var i = 0; i < 5; i++)
        {
            created.Add(await store.CreateCheckpointAsync("run-r", s_data, created.LastOrDefault()));
        }

        Assert.Equal(created[3..], await store.RetrieveIndexAsync("run-r"));
        await Assert.ThrowsAsync<CheckpointNotFoundException>(() => store.RetrieveCheckpointAsync("run-r", created[0]).AsTask());
        var unlimited = Checkpoints(host);
        created.Add(await unlimited.CreateCheckpointAsync("run-r", s_data, created[^1]));
        Assert.Equal(1, await unlimited.KeepLastAsync("run-r", 2));
        Assert.Equal(created[4..], await unlimited.RetrieveIndexAsync("run-r"));

        var agent = StateOwner.Agent(TypedStateCheckpointStore.GuildOf("run-r"), "writer");
        await host.State.SetAsync(agent, "notes", "draft");
        await unlimited.DeleteRunAsync("run-r");

        Assert.Empty(await unlimited.RetrieveIndexAsync("run-r"));
        Assert.False((await host.State.GetAsync<string>(agent, "notes")).Exists);
        Assert.DoesNotContain("run-r", await unlimited.ListRunsAsync().Select(r => r.RunId).ToListAsync());
        await unlimited.DeleteRunAsync("never-existed");
    }

    [Fact]
    public async Task A_run_named_in_the_list_of_runs_is_listed_only_once_its_first_checkpoint_committed()
    {
        var host = Open();
        var store = Checkpoints(host);

        // What a crash between naming a run and committing its first checkpoint leaves: the name alone.
        await host.State.SetJsonAsync(StateOwner.Global, "maf/runs/run-c", """{"runId":"run-c","createdAt":"2026-01-01T00:00:00+00:00"}"""u8.ToArray());
        Assert.DoesNotContain("run-c", await store.ListRunsAsync().Select(r => r.RunId).ToListAsync());

        await store.CreateCheckpointAsync("run-c", s_data);
        var second = await store.CreateCheckpointAsync("run-c", s_data);

        var run = Assert.Single(await store.ListRunsAsync().Where(r => r.RunId == "run-c").ToListAsync());
        Assert.Equal(2, run.CheckpointsCreated);
        Assert.Equal(second, (await store.RetrieveIndexAsync("run-c")).Last());
    }

    [Fact]
    public async Task A_run_whose_summary_was_kept_in_the_global_list_by_an_earlier_version_is_still_listed()
    {
        var host = Open();
        var store = Checkpoints(host);

        // Before run summaries moved into the run's guild, the global list of runs held the whole summary.
        await host.State.SetJsonAsync(StateOwner.Global, "maf/runs/run-o", """{"runId":"run-o","createdAt":"2026-01-01T00:00:00+00:00","lastCheckpointAt":"2026-01-02T00:00:00+00:00","checkpoints":3}"""u8.ToArray());
        var old = Assert.Single(await store.ListRunsAsync().Where(r => r.RunId == "run-o").ToListAsync());
        Assert.Equal(3, old.CheckpointsCreated);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), old.CreatedAt);

        // Its next checkpoint writes the summary into the guild, keeping when the run was created.
        await store.CreateCheckpointAsync("run-o", s_data);
        var moved = Assert.Single(await store.ListRunsAsync().Where(r => r.RunId == "run-o").ToListAsync());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), moved.CreatedAt);
        Assert.Equal(1, moved.CheckpointsCreated);
    }

    [Fact]
    public async Task The_checkpoint_index_is_in_commit_order_filters_by_parent_and_isolates_runs()
    {
        var store = Checkpoints(Open());
        Assert.Empty(await store.RetrieveIndexAsync("run-x"));
        var root = await store.CreateCheckpointAsync("run-x", s_data);
        var child1 = await store.CreateCheckpointAsync("run-x", s_data, root);
        var child2 = await store.CreateCheckpointAsync("run-x", s_data, root);
        var grandchild = await store.CreateCheckpointAsync("run-x", s_data, child1);
        var other = await store.CreateCheckpointAsync("run-y", s_data);

        Assert.Equal([root, child1, child2, grandchild], await store.RetrieveIndexAsync("run-x"));
        Assert.Equal([child1, child2], await store.RetrieveIndexAsync("run-x", root));
        Assert.Equal([grandchild], await store.RetrieveIndexAsync("run-x", child1));
        Assert.Equal([other], await store.RetrieveIndexAsync("run-y"));
        Assert.Equal("data", (await store.RetrieveCheckpointAsync("run-x", child2)).GetProperty("test").GetString());

        // A checkpoint of another run, or one never created, is not found.
        await Assert.ThrowsAsync<CheckpointNotFoundException>(() => store.RetrieveCheckpointAsync("run-x", other).AsTask());
        var missing = await Assert.ThrowsAsync<CheckpointNotFoundException>(() => store.RetrieveCheckpointAsync("run-x", new CheckpointInfo("run-x", "nope")).AsTask());
        Assert.Equal(Scope.Guild, missing.Scope);
    }

    [Fact]
    public async Task A_large_checkpoint_is_split_and_read_back_byte_exact()
    {
        var host = Open(o => o.ChunkBytes = 1024);
        var store = host.CheckpointStore;
        var big = JsonSerializer.SerializeToElement(new { z = new string('z', 5000), a = "é🙂\"<>", m = Enumerable.Range(0, 300).ToArray() });
        var checkpoint = await store.CreateCheckpointAsync(new string('r', 500), big);

        // Stored as several parts, each within the chunk size, under the run's guild.
        var parts = await host.State.ListRecordsAsync(StateOwner.Guild(KeySegments.OwnerId(new string('r', 500))), "maf/parts/").ToListAsync();
        Assert.True(parts.Count >= 5, $"{parts.Count} parts");
        Assert.All(parts, p => Assert.True(p.Value.Length <= 1024 + 256, $"{p.Value.Length} bytes"));

        var read = await new TypedStateCheckpointStore(Open().State, null, 1024).RetrieveCheckpointAsync(new string('r', 500), checkpoint);
        Assert.Equal(big.GetRawText(), read.GetRawText());
    }
}
