using TypedState.Postgres;
using TypedState.Timeline;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A guild's forks are listed in keyset pages of ListPageSize (a query each), so a guild with very many forks is
/// streamed in bounded memory: every fork once, in guild id order, across page boundaries.
/// </summary>
public sealed class PostgresForkListingTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Forks_are_listed_page_by_page_in_guild_id_order()
    {
        var driver = new PostgresStateDriver(new PostgresStateDriverOptions { DataSource = _server.DataSource, Schema = _schemas.New("forks"), ListPageSize = 2 });
        await using var state = new StateManager(driver, ownsDriver: true);
        await state.Timelines.StartAsync("g");
        await state.SetAsync(StateOwner.Guild("g"), "k", "v");

        // Five forks (two full pages and one short), created out of order, and a fork of a fork, which is not listed.
        string[] ids = ["f3", "f1", "f5", "f2", "f4"];
        foreach (var id in ids)
        {
            await state.Timelines.ForkAsync("g", 1, id);
        }

        await state.Timelines.ForkAsync("f1", 1, "f1-child");

        var forks = new List<GuildTimeline>();
        await foreach (var fork in state.Timelines.ListForksAsync("g"))
        {
            forks.Add(fork);
        }

        Assert.Equal(["f1", "f2", "f3", "f4", "f5"], forks.Select(f => f.GuildId));
        Assert.All(forks, f => Assert.Equal(("g", 1L), (f.ForkedFrom, f.ForkSequence)));

        // Exactly one page: a full page followed by an empty one still ends the listing.
        await state.RemoveGuildAsync("f5");
        await state.RemoveGuildAsync("f1-child");
        await state.RemoveGuildAsync("f1");
        await state.RemoveGuildAsync("f4");
        var remaining = new List<string>();
        await foreach (var fork in state.Timelines.ListForksAsync("g"))
        {
            remaining.Add(fork.GuildId);
        }

        Assert.Equal(["f2", "f3"], remaining);

        var unknown = await Assert.ThrowsAsync<StateTimelineException>(async () =>
        {
            await foreach (var fork in state.Timelines.ListForksAsync("nobody"))
            {
                Assert.Fail($"Listed {fork.GuildId} for a guild without a timeline.");
            }
        });
        Assert.Equal((TimelineFailure.NotStarted, "nobody"), (unknown.Failure, unknown.GuildId));
    }
}
