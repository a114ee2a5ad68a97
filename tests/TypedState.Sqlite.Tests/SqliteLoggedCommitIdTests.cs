using System.Text;
using TypedState.Sqlite;
using TypedState.Storage;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Storage layout 7: a commit whose every write adds an entry to one guild's timeline keeps its commit id in those
/// entries, with no row of typedstate_commits; a repeat finds it there, for the same retention, and a prune or the
/// guild's removal, which delete entries, leave the id remembered until it expires.
/// </summary>
public sealed class SqliteLoggedCommitIdTests : IAsyncLifetime, IDisposable
{
    private const string G = "g";

    private static readonly TimeSpan s_retention = TimeSpan.FromMinutes(1);

    private readonly TempDirectory _directory = new();
    private readonly ManualClock _clock = new();
    private SqliteStateManager _state = null!;

    private static StateOwner Agent => StateOwner.Agent(G, "a");

    private IStateDriver Driver => _state.Driver;

    public async Task InitializeAsync()
    {
        _state = new SqliteStateManager(new SqliteStateDriverOptions { ConnectionString = _directory.ConnectionString(), TimeProvider = _clock, CommitIdRetention = s_retention });
        await _state.Timelines.StartAsync(G);
    }

    public async Task DisposeAsync() => await _state.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_logged_batch_keeps_its_id_in_its_entries_and_its_repeat_returns_the_first_result_and_applies_nothing()
    {
        await _state.SetAsync(Agent, "gone", "x");
        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [Set(StateOwner.Guild(G), "plan", "1"), Delete(Agent, "gone"), Append(Agent, "evt")];

        var first = await Driver.CommitAsync(batch, [], id, CancellationToken.None);
        var repeat = await Driver.CommitAsync(batch, [], id, CancellationToken.None);

        Assert.Equal([1L, 1L, 4L], first.Versions);
        Assert.Equal(first.Versions, repeat.Versions);
        Assert.Equal(4, (await _state.Timelines.GetAsync(G))!.Head);
        Assert.Equal(1L, (await _state.GetAsync<int>(StateOwner.Guild(G), "plan")).Version);
        Assert.Equal(0L, Scalar("SELECT count(*) FROM typedstate_commits WHERE id = " + Hex(id)));
        Assert.Equal(3L, Scalar("SELECT count(*) FROM typedstate_entries WHERE commit_writes = 3 AND commit_id = " + Hex(id)));
    }

    [Fact]
    public async Task A_batch_that_also_writes_outside_the_timeline_is_remembered_in_the_commits_table()
    {
        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [Set(StateOwner.Guild(G), "plan", "1"), Set(StateOwner.Global, "k", "1")];

        var first = await Driver.CommitAsync(batch, [], id, CancellationToken.None);
        var repeat = await Driver.CommitAsync(batch, [], id, CancellationToken.None);

        Assert.Equal(first.Versions, repeat.Versions);
        Assert.Equal(1L, Scalar("SELECT count(*) FROM typedstate_commits WHERE id = " + Hex(id)));
        Assert.Equal(1, (await _state.Timelines.GetAsync(G))!.Head);
    }

    [Fact]
    public async Task A_prune_and_the_guild_removal_do_not_forget_the_ids_of_the_entries_they_delete()
    {
        var pruned = CommitId.New();
        var removed = CommitId.New();
        IReadOnlyList<StateWrite> first = [Set(Agent, "k", "1")];
        IReadOnlyList<StateWrite> second = [Set(Agent, "k", "2")];
        await Driver.CommitAsync(first, [], pruned, CancellationToken.None);
        await Driver.CommitAsync(second, [], removed, CancellationToken.None);

        // The prune drops entry 1 (entry 2 holds the key's state at the horizon): its id moves to the commits table.
        Assert.Equal(2, (await _state.Timelines.PruneAsync(G, 2)).RetainedFrom);
        Assert.Equal(0L, Scalar("SELECT count(*) FROM typedstate_entries WHERE seq = 1"));
        Assert.Equal([1L], (await Driver.CommitAsync(first, [], pruned, CancellationToken.None)).Versions);
        Assert.Equal(2L, (await _state.GetAsync<int>(Agent, "k")).Version);

        await _state.RemoveGuildAsync(G);
        Assert.Equal(0L, Scalar("SELECT count(*) FROM typedstate_entries"));
        Assert.Equal([2L], (await Driver.CommitAsync(second, [], removed, CancellationToken.None)).Versions);
        Assert.Equal([1L], (await Driver.CommitAsync(first, [], pruned, CancellationToken.None)).Versions);
        Assert.False((await _state.GetAsync<int>(Agent, "k")).Exists);
    }

    [Fact]
    public async Task An_id_kept_by_entries_is_forgotten_after_its_retention()
    {
        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [Set(Agent, "k", "1")];
        await Driver.CommitAsync(batch, [], id, CancellationToken.None);

        _clock.Now += TimeSpan.FromSeconds(59);
        Assert.Equal([1L], (await Driver.CommitAsync(batch, [], id, CancellationToken.None)).Versions);
        _clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal([2L], (await Driver.CommitAsync(batch, [], id, CancellationToken.None)).Versions);
        Assert.Equal(2, (await _state.Timelines.GetAsync(G))!.Head);
    }

    private static StateWrite Set(StateOwner owner, string key, string json) => new(owner, key, StateWriteKind.Set, Encoding.UTF8.GetBytes(json), null);

    private static StateWrite Delete(StateOwner owner, string key) => new(owner, key, StateWriteKind.Delete, default, null);

    private static StateWrite Append(StateOwner owner, string eventId) => new(owner, eventId, StateWriteKind.Append, Encoding.UTF8.GetBytes("{}"), null);

    private static string Hex(CommitId id) => "x'" + Convert.ToHexString(id.Value.ToByteArray()) + "'";

    private object? Scalar(string sql) => SqliteFile.Scalar(_directory.ConnectionString(), sql);
}
