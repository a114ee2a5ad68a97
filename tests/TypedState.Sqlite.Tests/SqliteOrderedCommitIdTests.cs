using System.Text;
using TypedState.Sqlite;
using TypedState.Storage;
using static TypedState.Tests.Sqlite.SqliteTimelineFixtureFile;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Storage layout 8: commit ids keyed in RFC 9562 byte order, so a time-ordered id's key begins with its timestamp;
/// a caller's random id is remembered and expires as well; ids remembered by a layout 7 file, in the commits table or
/// in the entries, answer repeats after the upgrade.
/// </summary>
public sealed class SqliteOrderedCommitIdTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string ConnectionString => _directory.ConnectionString();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_time_ordered_id_is_keyed_by_its_timestamp_and_still_readable_in_the_earlier_byte_order()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        var id = new CommitId(Guid.CreateVersion7(at));
        IReadOnlyList<StateWrite> batch = [Set(StateOwner.Global, "k", "1")];
        await using var state = new SqliteStateManager(ConnectionString);

        var first = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);
        var repeat = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);

        Assert.Equal(first.Versions, repeat.Versions);
        Assert.Equal(at.ToUnixTimeMilliseconds().ToString("X12", System.Globalization.CultureInfo.InvariantCulture), Scalar("SELECT hex(substr(uuid, 1, 6)) FROM typedstate_commits"));
        Assert.Equal(1L, Scalar("SELECT count(*) FROM typedstate_commits WHERE id = " + Hex(id.Value.ToByteArray())));
        Assert.Equal(1L, Scalar("SELECT count(*) FROM typedstate_commits WHERE uuid = " + Hex(id.Value.ToByteArray(bigEndian: true))));
    }

    [Fact]
    public async Task A_random_id_of_the_caller_is_remembered_and_forgotten_after_its_retention()
    {
        var clock = new ManualClock();
        var options = new SqliteStateDriverOptions { ConnectionString = ConnectionString, TimeProvider = clock, CommitIdRetention = TimeSpan.FromMinutes(1) };
        await using var state = new SqliteStateManager(options);
        var random = new CommitId(Guid.NewGuid());
        IReadOnlyList<StateWrite> batch = [Set(StateOwner.Global, "k", "1")];

        await state.Driver.CommitAsync(batch, [], random, CancellationToken.None);
        Assert.Equal([1L], (await state.Driver.CommitAsync(batch, [], random, CancellationToken.None)).Versions);

        clock.Now += TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1);
        await state.Driver.CommitAsync([Set(StateOwner.Global, "other", "1")], [], CommitId.New(), CancellationToken.None);

        Assert.Equal(0L, Scalar("SELECT count(*) FROM typedstate_commits WHERE id = " + Hex(random.Value.ToByteArray())));
        Assert.Equal([2L], (await state.Driver.CommitAsync(batch, [], random, CancellationToken.None)).Versions);
    }

    [Fact]
    public async Task An_expired_id_behind_more_than_a_prune_batch_of_unexpired_ones_is_still_pruned()
    {
        var clock = new ManualClock();
        var options = new SqliteStateDriverOptions { ConnectionString = ConnectionString, TimeProvider = clock, CommitIdRetention = TimeSpan.FromMinutes(1) };
        await using var state = new SqliteStateManager(options);
        var last = new CommitId(Guid.Parse("ff000000-0000-4000-8000-000000000001"));
        await state.Driver.CommitAsync([Set(StateOwner.Global, "k", "1")], [], last, CancellationToken.None);

        // 2,500 ids kept for a day, all keyed before it (as a longer retention, or ids of a slow clock, would be).
        var day = clock.Now.AddDays(1).ToUnixTimeMilliseconds();
        SqliteFile.Execute(
            ConnectionString,
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) " +
            $"INSERT INTO typedstate_commits (uuid, versions, expires_at) SELECT CAST(printf('%016d', i) AS BLOB), x'0100000000000000', {day} FROM n");

        clock.Now += TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1);
        for (var prune = 0; prune < 6; prune++)
        {
            clock.Now += TimeSpan.FromSeconds(1);
            await state.SetAsync(StateOwner.Global, "other", prune);
        }

        Assert.Equal(0L, Scalar("SELECT count(*) FROM typedstate_commits WHERE uuid = " + Hex(last.Value.ToByteArray(bigEndian: true))));
        Assert.Equal(2500L, Scalar("SELECT count(*) FROM typedstate_commits WHERE expires_at = " + day));
    }

    [Fact]
    public async Task A_layout_7_file_is_upgraded_and_the_ids_it_remembered_in_either_place_still_answer_repeats()
    {
        var agent = StateOwner.Agent("g", "a");
        var logged = CommitId.New();
        var remembered = new CommitId(Guid.NewGuid());
        IReadOnlyList<StateWrite> loggedBatch = [Set(agent, "k", "1")];
        IReadOnlyList<StateWrite> rememberedBatch = [Set(agent, "k2", "1"), Set(StateOwner.Global, "k", "1")];
        await using (var state = new SqliteStateManager(ConnectionString))
        {
            await state.Timelines.StartAsync("g");
            await state.Driver.CommitAsync(loggedBatch, [], logged, CancellationToken.None);
            await state.Driver.CommitAsync(rememberedBatch, [], remembered, CancellationToken.None);
        }

        // What a file of layout 7 looks like: the commits table keyed by the bytes of Guid.ToByteArray.
        SqliteFile.Execute(ConnectionString, SqliteStorageLayoutTests.UnorderCommitIds + "UPDATE typedstate_schema SET version = 7");
        Assert.Equal(1L, Scalar("SELECT count(*) FROM typedstate_commits WHERE id = " + Hex(remembered.Value.ToByteArray())));

        await using (var state = new SqliteStateManager(ConnectionString))
        {
            Assert.Equal([1L], (await state.Driver.CommitAsync(loggedBatch, [], logged, CancellationToken.None)).Versions);
            Assert.Equal([1L, 1L], (await state.Driver.CommitAsync(rememberedBatch, [], remembered, CancellationToken.None)).Versions);
            Assert.Equal(2, (await state.Timelines.GetAsync("g"))!.Head);
            Assert.Equal(1L, (await state.GetAsync<int>(agent, "k")).Version);
        }

        Assert.Equal(SqliteStorageLayoutTests.CurrentLayout, Scalar("SELECT version FROM typedstate_schema WHERE id = 1"));
        Assert.Equal(1L, Scalar("SELECT count(*) FROM typedstate_commits WHERE uuid = " + Hex(remembered.Value.ToByteArray(bigEndian: true))));
    }

    [Fact]
    public async Task The_checked_in_layout_7_file_keeps_its_remembered_id_through_the_upgrade()
    {
        var path = Path.Combine(_directory.Path, Layout7FileName);
        File.Copy(BuiltCopy(Layout7FileName), path);
        var connectionString = $"Data Source={path}";
        var before = (byte[])SqliteFile.Scalar(connectionString, "SELECT id FROM typedstate_commits")!;

        await using (var state = new SqliteStateManager(connectionString))
        {
            Assert.Equal(("v2", 2L), ((await state.GetAsync<string>(Guild, "plan")).Value, (await state.GetAsync<string>(Guild, "plan")).Version));
        }

        Assert.Equal(SqliteStorageLayoutTests.CurrentLayout, SqliteFile.Scalar(connectionString, "SELECT version FROM typedstate_schema WHERE id = 1"));
        Assert.Equal(before, SqliteFile.Scalar(connectionString, "SELECT id FROM typedstate_commits"));
        Assert.Equal(new Guid(before).ToByteArray(bigEndian: true), SqliteFile.Scalar(connectionString, "SELECT uuid FROM typedstate_commits"));
        Assert.Equal(4L, SqliteFile.Scalar(connectionString, "SELECT count(*) FROM typedstate_entries WHERE commit_writes IS NOT NULL AND guild_id = 'fixture'"));
    }

    private static StateWrite Set(StateOwner owner, string key, string json) => new(owner, key, StateWriteKind.Set, Encoding.UTF8.GetBytes(json), null);

    private static string Hex(byte[] bytes) => "x'" + Convert.ToHexString(bytes) + "'";

    private object? Scalar(string sql) => SqliteFile.Scalar(ConnectionString, sql);
}
