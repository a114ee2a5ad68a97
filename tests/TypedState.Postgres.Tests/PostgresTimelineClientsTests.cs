using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// What one driver does to a timeline, another driver (another process: its own data source, nothing cached about
/// that guild) sees from its next statement on: a started timeline logs its writes, a pause refuses them, a fork made
/// into a guild id it already read as empty is read through at once.
/// </summary>
public sealed class PostgresTimelineClientsTests : IAsyncDisposable
{
    private const string G = "shared-guild";

    private readonly TimelineClients _clients = new("timeline_clients");

    public ValueTask DisposeAsync() => _clients.DisposeAsync();

    [Fact]
    public async Task A_timeline_started_or_paused_elsewhere_logs_or_refuses_the_next_write()
    {
        var (owner, other) = await _clients.TwoAsync();
        var third = await _clients.AnotherAsync();
        var agent = StateOwner.Agent(G, "a");
        Assert.Equal(1, await other.SetAsync(agent, "k", "before the timeline"));

        await owner.Timelines.StartAsync(G);
        Assert.Equal(2, await other.SetAsync(agent, "k", "logged"));
        Assert.Equal(2, (await other.Timelines.GetAsync(G))!.Head);

        await owner.Timelines.PauseAsync(G);
        var refused = await Assert.ThrowsAsync<StateTimelineException>(async () => await other.SetAsync(agent, "k", "while paused"));
        Assert.Equal((TimelineFailure.Paused, 2L), (refused.Failure, refused.Sequence));

        // A check from a client that never wrote to the guild (its guard, without the lock) is refused too.
        var check = await third.Driver.CommitAsync([new(agent, "k", StateWriteKind.Check, ReadOnlyMemory<byte>.Empty, 2)], [], CommitId.None, CancellationToken.None);
        Assert.Equal((CommitFailure.Timeline, 0, 2L), (check.Failure, check.ConflictIndex, check.ActualVersion));
        Assert.Equal("logged", (await owner.GetAsync<string>(agent, "k")).Value);

        await owner.Timelines.ResumeAsync(G);
        Assert.Equal(3, await other.SetAsync(agent, "k", "resumed"));
    }

    [Fact]
    public async Task A_guild_read_as_empty_and_then_forked_elsewhere_reads_through_its_source_at_once()
    {
        var (owner, other) = await _clients.TwoAsync();
        var source = StateOwner.Agent(G, "a");
        await owner.Timelines.StartAsync(G);
        await owner.SetAsync(source, "k", "at the fork point");
        var fork = source.InGuild("fork");
        Assert.False((await other.GetAsync<string>(fork, "k")).Exists);
        Assert.Empty(await ListAsync(other, fork));

        await owner.Timelines.ForkAsync(G, 1, "fork");

        Assert.Equal(("at the fork point", 1L), ((await other.GetAsync<string>(fork, "k")).Value, (await other.GetAsync<string>(fork, "k")).Version));
        Assert.Equal(["k"], await ListAsync(other, fork));
        Assert.Equal(2, await other.SetAsync(fork, "k", "the fork's own", expectedVersion: 1));
        Assert.Equal(("at the fork point", 1L), ((await owner.GetAsync<string>(source, "k")).Value, (await owner.GetAsync<string>(source, "k")).Version));
    }

    private static async Task<List<string>> ListAsync(StateManager state, StateOwner owner)
    {
        var keys = new List<string>();
        await foreach (var entry in state.ListAsync<string>(owner, string.Empty))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }
}
