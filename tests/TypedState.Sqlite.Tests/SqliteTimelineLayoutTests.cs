using TypedState.Sqlite;
using TypedState.Storage;
using TypedState.Timeline;
using static TypedState.Tests.Sqlite.SqliteTimelineFixtureFile;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Storage layouts 4 (guild timelines) and 5 (snapshots and pins) and later: the upgrade of a layout 3 file through
/// them, and the checked-in files of each layout opened by the current driver.
/// </summary>
public sealed class SqliteTimelineLayoutTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string ConnectionString => _directory.ConnectionString();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_layout_version_3_file_is_upgraded_in_place_and_its_records_become_a_timeline()
    {
        await using (var state = new SqliteStateManager(ConnectionString))
        {
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", "one");
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", "two");
            await state.SetAsync(StateOwner.Guild("g"), "plan", "p");
        }

        // What a file of layout version 3 looks like: records, locks, commit ids and floors; no timelines.
        SqliteFile.Execute(ConnectionString, SqliteStorageLayoutTests.DropTimelineTables + "UPDATE typedstate_schema SET version = 3");
        Assert.Equal(0L, SqliteFile.Scalar(ConnectionString, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'typedstate_%timeline%' OR name LIKE 'typedstate_entries%'"));

        await using (var state = new SqliteStateManager(ConnectionString))
        {
            Assert.Equal(("two", 2L), ((await state.GetAsync<string>(StateOwner.Agent("g", "a"), "k")).Value, (await state.GetAsync<string>(StateOwner.Agent("g", "a"), "k")).Version));
            var started = await state.Timelines.StartAsync("g");
            Assert.Equal(2, started.Head);
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", "three");
            var entries = await EntriesAsync(state, "g");
            Assert.Equal(
                [(1L, TimelineEntryKind.Set, "k", 2L), (2L, TimelineEntryKind.Set, "plan", 1L), (3L, TimelineEntryKind.Set, "k", 3L)],
                entries.Select(e => (e.Sequence, e.Kind, e.Key, e.Version)));
            Assert.Equal("two", (await state.Timelines.GetAsOfAsync<string>(StateOwner.Agent("g", "a"), "k", 2)).Value);
        }

        Assert.Equal(SqliteStorageLayoutTests.CurrentLayout, SqliteFile.Scalar(ConnectionString, "SELECT version FROM typedstate_schema WHERE id = 1"));
        Assert.Equal(3L, SqliteFile.Scalar(ConnectionString, "SELECT count(*) FROM typedstate_entries"));
    }

    [Fact]
    public async Task The_checked_in_layout_4_file_is_upgraded_with_its_timeline_and_fork_intact_and_then_keeps_snapshots_and_pins()
    {
        var connectionString = CopyOf(Layout4FileName);
        Assert.Equal(4L, SqliteFile.Scalar(connectionString, "SELECT version FROM typedstate_schema WHERE id = 1"));

        await using (var state = new SqliteStateManager(connectionString))
        {
            await AssertTimelineAndForkAsync(state);
            Assert.Empty(await ListAsync(state.Timelines.ListSnapshotsAsync(GuildId)));
            Assert.Empty(await ListAsync(state.Timelines.ListPinsAsync(GuildId)));

            // What layout 5 adds works on the upgraded file.
            await state.Timelines.SnapshotAsync(GuildId, 3);
            await state.Timelines.PinAsync(GuildId, 2);
            Assert.Equal([3L], await ListAsync(state.Timelines.ListSnapshotsAsync(GuildId)));
            Assert.Equal([2L], await ListAsync(state.Timelines.ListPinsAsync(GuildId)));
            await AssertTimelineGoesOnAsync(state);
        }

        Assert.Equal(SqliteStorageLayoutTests.CurrentLayout, SqliteFile.Scalar(connectionString, "SELECT version FROM typedstate_schema WHERE id = 1"));
    }

    [Fact]
    public async Task The_checked_in_layout_5_file_opens_with_its_timeline_fork_snapshots_and_pins()
    {
        var connectionString = CopyOf(Layout5FileName);
        Assert.Equal(5L, SqliteFile.Scalar(connectionString, "SELECT version FROM typedstate_schema WHERE id = 1"));

        await using var state = new SqliteStateManager(connectionString);
        await AssertTimelineAndForkAsync(state);
        await AssertSnapshotsAndPinsAsync(state);
        Assert.Empty(await ListAsync(state.Timelines.ListSnapshotsAsync(ForkId)));

        // The stored snapshot at 3 is the base of a rebuild, which equals the state as of 4 read from the entries.
        var rebuilt = await state.Timelines.RebuildAsync(GuildId, 4);
        Assert.Equal(
            [(Scope.Guild, "plan", 2L), (Scope.Agent, "notes", 1L)],
            rebuilt.Owners.SelectMany(o => o.Records.Select(r => (o.Owner.Scope, r.Key, r.Version))));

        // The pin at 2 holds a prune there, and the snapshots at and above it stay.
        Assert.Equal(2, (await state.Timelines.PruneAsync(GuildId, 5)).RetainedFrom);
        Assert.Equal([5L, 3L], await ListAsync(state.Timelines.ListSnapshotsAsync(GuildId)));
        await AssertTimelineGoesOnAsync(state);
    }

    [Fact]
    public async Task The_checked_in_layout_7_file_opens_with_its_timeline_fork_snapshots_pins_and_kept_commit_ids()
    {
        var connectionString = CopyOf(Layout7FileName);
        Assert.Equal(7L, SqliteFile.Scalar(connectionString, "SELECT version FROM typedstate_schema WHERE id = 1"));

        // The logged commits of the fixture kept their ids in their entries, not in the commits table (which holds the
        // id of the set made before the timeline started).
        Assert.Equal(1L, SqliteFile.Scalar(connectionString, "SELECT count(*) FROM typedstate_commits"));
        Assert.Equal(0L, SqliteFile.Scalar(connectionString, "SELECT count(*) FROM typedstate_commits WHERE id IN (SELECT commit_id FROM typedstate_entries)"));
        Assert.Equal(4L, SqliteFile.Scalar(connectionString, "SELECT count(*) FROM typedstate_entries WHERE commit_writes IS NOT NULL AND guild_id = 'fixture'"));

        await AssertFixtureReadsAndGoesOnAsync(connectionString);
    }

    [Fact]
    public async Task The_checked_in_layout_8_file_opens_with_its_timeline_fork_snapshots_pins_and_ordered_commit_ids()
    {
        var connectionString = CopyOf(Layout8FileName);
        Assert.Equal(8L, SqliteFile.Scalar(connectionString, "SELECT version FROM typedstate_schema WHERE id = 1"));

        // The commits table is keyed by the RFC 9562 byte order (uuid), the earlier order readable as id; the logged
        // commits kept their ids in their entries, found through the index on the same order.
        Assert.Equal(1L, SqliteFile.Scalar(connectionString, "SELECT count(*) FROM typedstate_commits WHERE uuid <> id"));
        Assert.Equal(4L, SqliteFile.Scalar(connectionString, "SELECT count(*) FROM typedstate_entries WHERE commit_writes IS NOT NULL AND guild_id = 'fixture'"));

        await AssertFixtureReadsAndGoesOnAsync(connectionString);
    }

    /// <summary>The fixture's timeline, fork, snapshots and pins read as written; a prune keeps the pin; the timeline goes on.</summary>
    private static async Task AssertFixtureReadsAndGoesOnAsync(string connectionString)
    {
        await using var state = new SqliteStateManager(connectionString);
        await AssertTimelineAndForkAsync(state);
        await AssertSnapshotsAndPinsAsync(state);
        Assert.Equal(2, (await state.Timelines.PruneAsync(GuildId, 5)).RetainedFrom);
        await AssertTimelineGoesOnAsync(state);
    }

    [Fact]
    public async Task A_layout_6_file_is_upgraded_and_the_commit_ids_it_remembered_still_answer_repeats()
    {
        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [new(Agent, "k", StateWriteKind.Set, "\"one\""u8.ToArray(), null)];
        await using (var state = new SqliteStateManager(ConnectionString))
        {
            await state.Timelines.StartAsync(GuildId);
            Assert.Equal([1L], (await state.Driver.CommitAsync(batch, [], id, CancellationToken.None)).Versions);
        }

        // What a file of layout 6 looks like: entries without write counts, and every commit id in the commits table.
        var expires = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();
        SqliteFile.Execute(
            ConnectionString,
            SqliteStorageLayoutTests.DropCommitWrites +
            $"INSERT INTO typedstate_commits (id, versions, expires_at) SELECT commit_id, x'0100000000000000', {expires} FROM typedstate_entries; " +
            "UPDATE typedstate_schema SET version = 6");

        await using (var state = new SqliteStateManager(ConnectionString))
        {
            Assert.Equal([1L], (await state.Driver.CommitAsync(batch, [], id, CancellationToken.None)).Versions);
            Assert.Equal(1, (await state.Timelines.GetAsync(GuildId))!.Head);
            await state.SetAsync(Agent, "k", "two");
            Assert.Equal(2, (await state.Timelines.GetAsync(GuildId))!.Head);
        }

        Assert.Equal(SqliteStorageLayoutTests.CurrentLayout, SqliteFile.Scalar(ConnectionString, "SELECT version FROM typedstate_schema WHERE id = 1"));
        Assert.Equal(1L, SqliteFile.Scalar(ConnectionString, "SELECT count(*) FROM typedstate_commits"));
        Assert.Equal(2L, SqliteFile.Scalar(ConnectionString, "SELECT seq FROM typedstate_entries WHERE commit_writes = 1"));
    }

    [Fact]
    public async Task The_fixture_writer_writes_what_the_checked_in_files_hold()
    {
        // The documented way the files were written (see SqliteTimelineFixtureFile), run at the current layout: what
        // it writes passes the checks of the checked-in files. With TYPEDSTATE_WRITE_FIXTURES=1 it also replaces the
        // current layout's file in the source tree.
        var path = Path.Combine(_directory.Path, CurrentFileName);
        await WriteAsync($"Data Source={path}");
        if (Environment.GetEnvironmentVariable("TYPEDSTATE_WRITE_FIXTURES") == "1")
        {
            File.Copy(path, SourceFile(), overwrite: true);
        }

        await using var state = new SqliteStateManager($"Data Source={path}");
        await AssertTimelineAndForkAsync(state);
        await AssertSnapshotsAndPinsAsync(state);
        Assert.Equal(SqliteStorageLayoutTests.CurrentLayout, SqliteFile.Scalar($"Data Source={path}", "SELECT version FROM typedstate_schema WHERE id = 1"));
    }

    /// <summary>A copy of a checked-in file: opening it may upgrade it (a later layout), and WAL mode writes beside it.</summary>
    private string CopyOf(string fileName)
    {
        var path = Path.Combine(_directory.Path, fileName);
        File.Copy(BuiltCopy(fileName), path);
        return $"Data Source={path}";
    }

    /// <summary>What both checked-in files hold: the guild's five entries, its states as of each sequence, and the fork.</summary>
    private static async Task AssertTimelineAndForkAsync(SqliteStateManager state)
    {
        Assert.Equal(
            [
                (1L, TimelineEntryKind.Set, Guild, "plan", 1L),
                (2L, TimelineEntryKind.Set, Agent, "notes", 1L),
                (3L, TimelineEntryKind.Set, Guild, "plan", 2L),
                (4L, TimelineEntryKind.Append, Agent, "evt-1", 4L),
                (5L, TimelineEntryKind.Delete, Agent, "notes", 2L),
            ],
            (await EntriesAsync(state, GuildId)).Select(e => (e.Sequence, e.Kind, e.Owner, e.Key, e.Version)));
        Assert.Equal(("v1", 1L), Entry(await state.Timelines.GetAsOfAsync<string>(Guild, "plan", 2)));
        Assert.Equal(("v2", 2L), Entry(await state.Timelines.GetAsOfAsync<string>(Guild, "plan", 5)));
        Assert.Equal(("n1", 1L), Entry(await state.Timelines.GetAsOfAsync<string>(Agent, "notes", 4)));
        Assert.False((await state.Timelines.GetAsOfAsync<string>(Agent, "notes", 5)).Exists);
        Assert.False((await state.GetAsync<string>(Agent, "notes")).Exists);

        // The fork reads its own write and, through its source at 3, the rest.
        var fork = await state.Timelines.GetAsync(ForkId);
        Assert.Equal(new GuildTimeline(ForkId, 4, null, GuildId, 3, 0), fork);
        Assert.Equal(("fork", 3L), Entry(await state.GetAsync<string>(StateOwner.Guild(ForkId), "plan")));
        Assert.Equal(("n1", 1L), Entry(await state.GetAsync<string>(StateOwner.Agent(ForkId, "a1"), "notes")));
        Assert.Equal([1L, 2, 3, 4], (await EntriesAsync(state, ForkId)).Select(e => e.Sequence));
    }

    /// <summary>What the files of layout 5 and later hold besides: snapshots of the guild at 3 and 5, pins at 2 and, in the fork, 4.</summary>
    private static async Task AssertSnapshotsAndPinsAsync(SqliteStateManager state)
    {
        Assert.Equal([5L, 3L], await ListAsync(state.Timelines.ListSnapshotsAsync(GuildId)));
        Assert.Equal([2L], await ListAsync(state.Timelines.ListPinsAsync(GuildId)));
        Assert.Equal([4L], await ListAsync(state.Timelines.ListPinsAsync(ForkId)));
    }

    /// <summary>The timeline goes on where it stopped.</summary>
    private static async Task AssertTimelineGoesOnAsync(SqliteStateManager state)
    {
        await state.SetAsync(Guild, "plan", "v3");
        Assert.Equal(6, (await state.Timelines.GetAsync(GuildId))!.Head);
        Assert.Equal([(6L, "plan", 3L)], (await EntriesAsync(state, GuildId, after: 5)).Select(e => (e.Sequence, e.Key, e.Version)));
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

    private static (string? Value, long Version) Entry(StateEntry<string> entry) => (entry.Value, entry.Version);

    private static async Task<List<TimelineEntry>> EntriesAsync(StateManager state, string guildId, long after = 0)
    {
        var entries = new List<TimelineEntry>();
        await foreach (var entry in state.Timelines.ReadAsync(guildId, after))
        {
            entries.Add(entry);
        }

        return entries;
    }
}
