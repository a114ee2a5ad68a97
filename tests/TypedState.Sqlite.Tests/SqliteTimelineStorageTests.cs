using System.Text;
using TypedState.Sqlite;
using TypedState.Timeline;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// What the SQLite driver keeps beside a timeline (storage layout 5) and how it reads it back: snapshots and pins in
/// keyset pages, going with their guild and with a prune; forks listed in pages; and the one-statement logged write of
/// a guild that is no fork, whose conditions must hold as on the plain path.
/// </summary>
public sealed class SqliteTimelineStorageTests : IAsyncLifetime, IDisposable
{
    private const string G = "g";

    private readonly TempDirectory _directory = new();
    private SqliteStateManager _state = null!;

    private SqliteStateDriver Driver => (SqliteStateDriver)_state.Driver;

    public Task InitializeAsync()
    {
        // Pages of two, so that every listing below takes several.
        _state = new SqliteStateManager(new SqliteStateDriverOptions { ConnectionString = _directory.ConnectionString(), ListPageSize = 2 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _state.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Snapshots_are_listed_in_pages_and_go_with_their_guild_and_below_a_prune()
    {
        await _state.Timelines.StartAsync(G);
        for (var i = 1; i <= 6; i++)
        {
            await _state.SetAsync(StateOwner.Agent(G, "a"), "k", $"v{i}");
        }

        for (var sequence = 1L; sequence <= 5; sequence++)
        {
            await Driver.SaveSnapshotAsync(G, sequence, Encoding.UTF8.GetBytes($"doc {sequence}"), CancellationToken.None);
        }

        await Driver.SaveSnapshotAsync(G, 3, Encoding.UTF8.GetBytes("doc 3, again"), CancellationToken.None);
        Assert.Equal([5L, 4, 3, 2, 1], await ListAsync(Driver.ListSnapshotsAsync(G, CancellationToken.None)));
        Assert.Equal("doc 3, again", Encoding.UTF8.GetString((await Driver.ReadSnapshotAsync(G, 3, CancellationToken.None))!.Value.Span));
        Assert.Null(await Driver.ReadSnapshotAsync(G, 6, CancellationToken.None));
        var beyond = await Assert.ThrowsAsync<StateTimelineException>(async () => await Driver.SaveSnapshotAsync(G, 7, new byte[] { 1 }, CancellationToken.None));
        Assert.Equal((TimelineFailure.BeyondHead, G, 7L), (beyond.Failure, beyond.GuildId, beyond.Sequence));

        // A fork starts with none; while it lives, a prune stops at its point and keeps the snapshot there.
        await _state.Timelines.ForkAsync(G, 4, "f");
        Assert.Empty(await ListAsync(Driver.ListSnapshotsAsync("f", CancellationToken.None)));
        Assert.Equal(4, (await _state.Timelines.PruneAsync(G, 5)).RetainedFrom);
        Assert.Equal([5L, 4], await ListAsync(Driver.ListSnapshotsAsync(G, CancellationToken.None)));
        var pruned = await Assert.ThrowsAsync<StateTimelineException>(async () => await Driver.SaveSnapshotAsync(G, 3, new byte[] { 1 }, CancellationToken.None));
        Assert.Equal((TimelineFailure.Pruned, 3L), (pruned.Failure, pruned.Sequence));

        await _state.RemoveGuildAsync("f");
        Assert.Equal(5, (await _state.Timelines.PruneAsync(G, 5)).RetainedFrom);
        Assert.Equal([5L], await ListAsync(Driver.ListSnapshotsAsync(G, CancellationToken.None)));

        // Removing the guild removes its snapshots and pins: a timeline started again under its id has none.
        await _state.Timelines.PinAsync(G, 6);
        await _state.RemoveGuildAsync(G);
        var gone = await Assert.ThrowsAsync<StateTimelineException>(async () => await ListAsync(Driver.ListSnapshotsAsync(G, CancellationToken.None)));
        Assert.Equal(TimelineFailure.NotStarted, gone.Failure);
        await _state.Timelines.StartAsync(G);
        Assert.Empty(await ListAsync(Driver.ListSnapshotsAsync(G, CancellationToken.None)));
        Assert.Empty(await ListAsync(Driver.ListPinsAsync(G, CancellationToken.None)));
        Assert.Equal(0L, SqliteFile.Scalar(_directory.ConnectionString(), "SELECT count(*) FROM typedstate_snapshots"));
    }

    [Fact]
    public async Task Pins_and_forks_are_listed_in_pages_in_order()
    {
        await _state.Timelines.StartAsync(G);
        await _state.Timelines.StartAsync("other");
        for (var i = 1; i <= 5; i++)
        {
            await _state.SetAsync(StateOwner.Guild(G), "k", i);
        }

        foreach (var sequence in (long[])[5, 1, 3, 2, 4, 3])
        {
            await _state.Timelines.PinAsync(G, sequence);
        }

        Assert.Equal([1L, 2, 3, 4, 5], await ListAsync(Driver.ListPinsAsync(G, CancellationToken.None)));

        foreach (var id in (string[])["f5", "f1", "f3", "f2", "f4"])
        {
            await _state.Timelines.ForkAsync(G, id[1] - '0', id);
        }

        await _state.Timelines.ForkAsync("other", 0, "not-g");
        var forks = new List<GuildTimeline>();
        await foreach (var fork in Driver.ListForksAsync(G, CancellationToken.None))
        {
            forks.Add(fork);
        }

        Assert.Equal([("f1", 1L), ("f2", 2L), ("f3", 3L), ("f4", 4L), ("f5", 5L)], forks.Select(f => (f.GuildId, f.ForkSequence)));
        Assert.All(forks, fork => Assert.Equal(G, fork.ForkedFrom));

        // A guild with forks is refused removal, naming them.
        var refused = await Assert.ThrowsAsync<StateTimelineException>(async () => await _state.RemoveGuildAsync(G));
        Assert.Equal(TimelineFailure.HasForks, refused.Failure);
        Assert.Contains("f1, f2, f3, f4, f5", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logged_writes_of_a_guild_that_is_no_fork_keep_the_conditions_and_versions_of_the_plain_path()
    {
        await _state.Timelines.StartAsync(G);
        var a = StateOwner.Agent(G, "a");
        Assert.Equal(1, await _state.SetAsync(a, "k", "one", expectedVersion: 0));
        await Assert.ThrowsAsync<StateConflictException>(async () => await _state.SetAsync(a, "k", "stale", expectedVersion: 0));
        await Assert.ThrowsAsync<StateConflictException>(async () => await _state.SetAsync(a, "k", "stale", expectedVersion: 7));
        Assert.Equal(2, await _state.SetAsync(a, "k", "two", expectedVersion: 1));
        await Assert.ThrowsAsync<StateConflictException>(async () => await _state.DeleteAsync(a, "k", expectedVersion: 1));
        Assert.True(await _state.DeleteAsync(a, "k", expectedVersion: 2));

        // Deleting an absent record succeeds and logs nothing; a record set again continues above its tombstone.
        Assert.False(await _state.DeleteAsync(a, "k"));
        Assert.False(await _state.DeleteAsync(a, "never"));
        Assert.Equal(4, await _state.SetAsync(a, "k", "three", expectedVersion: 0));

        // After an agent's removal the guild's floor keeps new records' versions above every removed one.
        await _state.RemoveAgentAsync(G, "a");
        Assert.Equal(5, await _state.SetAsync(a, "fresh", "after removal"));

        var entries = new List<TimelineEntry>();
        await foreach (var entry in _state.Timelines.ReadAsync(G))
        {
            entries.Add(entry);
        }

        Assert.Equal(
            [
                (1L, TimelineEntryKind.Set, "k", 0L, 1L),
                (2L, TimelineEntryKind.Set, "k", 1L, 2L),
                (3L, TimelineEntryKind.Delete, "k", 2L, 3L),
                (4L, TimelineEntryKind.Set, "k", 0L, 4L),
                (5L, TimelineEntryKind.RemoveOwner, "", 0L, 0L),
                (6L, TimelineEntryKind.Set, "fresh", 0L, 5L),
            ],
            entries.Select(e => (e.Sequence, e.Kind, e.Key, e.PreviousVersion, e.Version)));
        Assert.Equal(6, (await _state.Timelines.GetAsync(G))!.Head);
    }

    private static async Task<List<long>> ListAsync(IAsyncEnumerable<long> sequences)
    {
        var list = new List<long>();
        await foreach (var sequence in sequences)
        {
            list.Add(sequence);
        }

        return list;
    }
}
