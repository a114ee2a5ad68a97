using TypedState.Sqlite;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Two drivers on one file, as two processes would be: what one does to a timeline, the other sees at once. In
/// particular a driver that has read a guild as empty, and so not a fork, reads it through its source once another
/// driver forks into it (the driver keeps no "not a fork" cache).
/// </summary>
public sealed class SqliteTimelineSharedFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_fork_made_by_another_driver_is_read_through_by_one_that_read_the_guild_empty_before()
    {
        await using var first = new SqliteStateManager(_directory.ConnectionString());
        await using var second = new SqliteStateManager(_directory.ConnectionString());
        await first.Timelines.StartAsync("source");
        await first.SetAsync(StateOwner.Agent("source", "a"), "k", "inherited");
        Assert.False((await second.GetAsync<string>(StateOwner.Agent("fork", "a"), "k")).Exists);
        Assert.Empty(await ListAsync(second, StateOwner.Agent("fork", "a")));

        await first.Timelines.ForkAsync("source", 1, "fork");

        var read = await second.GetAsync<string>(StateOwner.Agent("fork", "a"), "k");
        Assert.Equal(("inherited", 1L), (read.Value, read.Version));
        Assert.Equal(["k"], await ListAsync(second, StateOwner.Agent("fork", "a")));
        Assert.Equal(2, await second.SetAsync(StateOwner.Agent("fork", "a"), "k", "own", expectedVersion: 1));
        Assert.Equal("inherited", (await first.GetAsync<string>(StateOwner.Agent("source", "a"), "k")).Value);
    }

    [Fact]
    public async Task A_pause_by_another_driver_refuses_the_writes_of_this_one_until_it_resumes()
    {
        await using var first = new SqliteStateManager(_directory.ConnectionString());
        await using var second = new SqliteStateManager(_directory.ConnectionString());
        await first.Timelines.StartAsync("g");
        await first.SetAsync(StateOwner.Guild("g"), "k", 1);

        await second.Timelines.PauseAsync("g");
        var refused = await Assert.ThrowsAsync<StateTimelineException>(async () => await first.SetAsync(StateOwner.Guild("g"), "k", 2));
        Assert.Equal((TimelineFailure.Paused, 1L), (refused.Failure, refused.Sequence));

        await second.Timelines.ResumeAsync("g");
        Assert.Equal(2, await first.SetAsync(StateOwner.Guild("g"), "k", 2));
        Assert.Equal(2, (await second.Timelines.GetAsync("g"))!.Head);
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
