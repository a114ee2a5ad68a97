using System.Text;
using TypedState.Storage;

namespace TypedState.Testing;

/// <summary>
/// Whole-guild snapshots on a driver that keeps them (<see cref="ITimelineSnapshotDriver"/>): taken at a sequence with
/// the schema versions they hold, a rebuild from the nearest snapshot plus later entries equal to the state as of that
/// sequence, and an unreadable snapshot passed over for an older base.
/// </summary>
public abstract class TimelineSnapshotConformanceTests : TimelineConformanceBase
{
    /// <summary>A snapshot holds the guild scope and every agent as of its sequence, with their schema versions.</summary>
    [Fact]
    public async Task A_snapshot_holds_every_owner_of_the_guild_as_of_its_sequence()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "plan", new VersionedPlan(2, "outline"));
        await state.SetAsync(AgentA, "notes", "a");
        await state.SetAsync(AgentB, "notes", "b");
        await state.SetAsync(AgentB, "notes", "b, later");

        var snapshot = await state.Timelines.SnapshotAsync(G, atSequence: 3);
        Assert.Equal((G, 3L), (snapshot.GuildId, snapshot.Sequence));
        Assert.Equal([Guild, AgentA, AgentB], snapshot.Owners.Select(o => o.Owner));
        Assert.Equal(("\"b\"", 1L), (Text(snapshot.Find(AgentB, "notes")!.Value), snapshot.Find(AgentB, "notes")!.Version));
        Assert.Equal(2, snapshot.SchemaVersions["plan"]);
        Assert.Equal([3L], await SnapshotsAsync(state));

        await state.Timelines.SnapshotAsync(G);
        Assert.Equal([4L, 3L], await SnapshotsAsync(state));
    }

    /// <summary>Rebuilding from snapshot plus entries equals the driver's state as of each sequence.</summary>
    [Fact]
    public async Task Rebuilding_from_the_nearest_snapshot_and_later_entries_equals_the_state_as_of_each_sequence()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        var random = new Random(42);
        StateOwner[] owners = [Guild, AgentA, AgentB];
        for (var step = 1; step <= 60; step++)
        {
            var owner = owners[random.Next(owners.Length)];
            if (random.Next(5) == 0)
            {
                await state.DeleteAsync(owner, $"k{random.Next(4)}");
            }
            else
            {
                await state.SetAsync(owner, $"k{random.Next(4)}", $"v{step}");
            }

            if (step % 20 == 0)
            {
                await state.Timelines.SnapshotAsync(G);
            }
        }

        var head = (await state.Timelines.GetAsync(G))!.Head;
        for (var sequence = 0L; sequence <= head; sequence += 7)
        {
            var rebuilt = await state.Timelines.RebuildAsync(G, sequence);
            foreach (var owner in owners)
            {
                var expected = await AsOfAsync(state, owner, sequence);
                var actual = rebuilt.Owners.Where(o => o.Owner == owner).SelectMany(o => o.Records).Select(r => (r.Key, System.Text.Json.JsonSerializer.Deserialize<string>(r.Value.Span), r.Version)).ToList();
                Assert.Equal(expected, actual);
            }
        }
    }

    /// <summary>An unreadable snapshot is passed over; the rebuild is still exact.</summary>
    [Fact]
    public async Task An_unreadable_snapshot_falls_back_to_an_older_base()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(AgentA, "k", "v1");
        await state.Timelines.SnapshotAsync(G);
        await state.SetAsync(AgentA, "k", "v2");
        await state.SetAsync(AgentA, "k", "v3");
        var driver = (ITimelineSnapshotDriver)state.Driver;
        await driver.SaveSnapshotAsync(G, 2, Encoding.UTF8.GetBytes("{\"format\":1,\"guild\":\"someone else\""), CancellationToken.None);

        var rebuilt = await state.Timelines.RebuildAsync(G, 3);
        Assert.Equal(("\"v3\"", 3L), (Text(rebuilt.Find(AgentA, "k")!.Value), rebuilt.Find(AgentA, "k")!.Version));
        var beyond = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.RebuildAsync(G, 4));
        Assert.Equal((TimelineFailure.BeyondHead, 4L), (beyond.Failure, beyond.Sequence));
    }

    /// <summary>A diff names the shared history, each side's entries since, and the records that differ.</summary>
    [Fact]
    public async Task A_diff_of_a_guild_and_its_forks_names_the_shared_point_the_entries_since_and_the_differing_records()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "plan", "shared");
        await state.SetAsync(AgentA, "notes", "shared");
        if (await ForksRefusedAsync(state, G, 2, "left"))
        {
            return;
        }

        await state.Timelines.ForkAsync(G, 2, "left");
        await state.SetAsync(Guild, "plan", "source moved on");
        await state.Timelines.ForkAsync(G, 3, "right");
        await state.SetAsync(StateOwner.Agent("left", "a1"), "notes", "left's");
        await state.SetAsync(StateOwner.Guild("right"), "extra", "right's");

        var sourceAndFork = await state.Timelines.DiffAsync(G, "left");
        Assert.Equal((G, 2L), (sourceAndFork.CommonGuildId, sourceAndFork.CommonSequence));
        Assert.Equal([3L], sourceAndFork.LeftSince.Select(e => e.Sequence));
        Assert.Equal([("notes", 3L)], sourceAndFork.RightSince.Select(e => (e.Key, e.Sequence)));
        Assert.Equal(
            [(Scope.Guild, null, "plan", 2L, 1L), (Scope.Agent, "a1", "notes", 1L, 2L)],
            sourceAndFork.Records.Select(d => (d.Scope, d.AgentId, d.Key, d.Left!.Version, d.Right!.Version)));

        var siblings = await state.Timelines.DiffAsync("left", "right");
        Assert.Equal((G, 2L), (siblings.CommonGuildId, siblings.CommonSequence));
        Assert.Equal([3L], siblings.LeftSince.Select(e => e.Sequence));
        Assert.Equal([(3L, "plan"), (4L, "extra")], siblings.RightSince.Select(e => (e.Sequence, e.Key)));
        Assert.Equal(["extra", "plan", "notes"], siblings.Records.Select(d => d.Key));
        Assert.Null(siblings.Records.Single(d => d.Key == "extra").Left);

        var unknown = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.DiffAsync(G, "nobody"));
        Assert.Equal((TimelineFailure.NotStarted, "nobody"), (unknown.Failure, unknown.GuildId));
    }

    private static async Task<List<long>> SnapshotsAsync(StateManager state)
    {
        var sequences = new List<long>();
        await foreach (var sequence in state.Timelines.ListSnapshotsAsync(G))
        {
            sequences.Add(sequence);
        }

        return sequences;
    }

    private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);
}
