using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TypedState.Sqlite;
using TypedState.Storage;
using static TypedState.Tests.Fixtures.StateListings;

namespace TypedState.Tests.Sqlite;

/// <summary>What only the SQLite driver has: its file, its storage layout version and upgrades, WAL, and configuration.</summary>
public sealed class SqliteStorageLayoutTests : IDisposable
{
    /// <summary>The storage layout this version of the driver writes.</summary>
    internal const long CurrentLayout = 8;

    /// <summary>
    /// What layout 8 changed (commit ids keyed in RFC 9562 byte order): a file of layout 7 has the commits table keyed by
    /// the bytes its virtual column id reads, and the index on the entries' own commit_id bytes.
    /// </summary>
    internal const string UnorderCommitIds =
        "CREATE TABLE typedstate_commits_7 (id BLOB NOT NULL PRIMARY KEY, versions BLOB NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID; " +
        "INSERT INTO typedstate_commits_7 (id, versions, expires_at) SELECT id, versions, expires_at FROM typedstate_commits; " +
        "DROP TABLE typedstate_commits; ALTER TABLE typedstate_commits_7 RENAME TO typedstate_commits; " +
        "CREATE INDEX typedstate_commits_expiry ON typedstate_commits (expires_at); DROP INDEX typedstate_entries_commits; " +
        "CREATE INDEX typedstate_entries_commits ON typedstate_entries (commit_id) WHERE commit_writes IS NOT NULL; ";

    /// <summary>What layout 7 added to the entries (commit ids kept by them): a file of layout 6 lacks it.</summary>
    private const string DropEntryCommitWrites = "DROP INDEX typedstate_entries_commits; ALTER TABLE typedstate_entries DROP COLUMN commit_writes; ";

    /// <summary>What layouts 7 and 8 added (commit ids kept by entries, ordered commit ids): a file of layout 6 lacks it.</summary>
    internal const string DropCommitWrites = UnorderCommitIds + DropEntryCommitWrites;

    /// <summary>
    /// What layouts 6 and 7 added (the holders of locks, commit ids kept by entries): a file of layout 5 lacks it. The
    /// helpers of older layouts leave the commits table keyed as layout 8 keys it, which layout 8's upgrade reads as it
    /// reads an older one (the checked-in files upgrade a table of the older shape).
    /// </summary>
    internal const string DropLockHolders = DropEntryCommitWrites + "ALTER TABLE typedstate_locks DROP COLUMN holder; ";

    /// <summary>What layouts 5 to 7 added (snapshots and pins, lock holders, commit ids kept by entries): a file of layout 4 lacks it.</summary>
    internal const string DropSnapshotTables = DropLockHolders + "DROP TABLE typedstate_snapshots; DROP TABLE typedstate_pins; ";

    /// <summary>What layouts 4 to 7 added (guild timelines, snapshots and pins, lock holders, commit ids kept by entries): a file of an older layout lacks it.</summary>
    internal const string DropTimelineTables = DropSnapshotTables + "DROP TABLE typedstate_entries; DROP TABLE typedstate_timelines; ";

    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, "state.db");

    private string ConnectionString => _directory.ConnectionString();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_new_file_gets_the_current_storage_layout_version_in_WAL_mode()
    {
        await using (var state = new SqliteStateManager(ConnectionString))
        {
            await state.SetAsync(StateOwner.Global, "k", 1);
        }

        Assert.Equal(CurrentLayout, Scalar("SELECT version FROM typedstate_schema WHERE id = 1"));
        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task A_layout_version_1_file_is_upgraded_to_the_current_layout_and_keeps_its_records()
    {
        await using (var state = new SqliteStateManager(ConnectionString))
        {
            await state.SetAsync(StateOwner.Guild("g"), "kept", 7);
        }

        // What a file written before locks existed looks like (the layout version is kept in typedstate_schema).
        Execute(DropTimelineTables + "DROP TABLE typedstate_locks; DROP TABLE typedstate_commits; DROP TABLE typedstate_guild_floors; UPDATE typedstate_schema SET version = 1");

        await using (var state = new SqliteStateManager(ConnectionString))
        {
            Assert.Equal(7, (await state.GetAsync<int>(StateOwner.Guild("g"), "kept")).Value);
            await using var held = await state.AcquireLockAsync(StateOwner.Guild("g"), "kept", TimeSpan.FromSeconds(30), TimeSpan.Zero);
            Assert.True(held.FencingToken > 0);
        }

        Assert.Equal(CurrentLayout, Scalar("SELECT version FROM typedstate_schema WHERE id = 1"));
    }

    [Fact]
    public async Task A_layout_version_2_file_is_upgraded_in_place_to_remember_commit_ids_and_version_floors()
    {
        await using (var state = new SqliteStateManager(ConnectionString))
        {
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", "one");
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", "two");
            await state.SetAsync(StateOwner.Global, "kept", 7);
        }

        // What a file of layout version 2 looks like: records and locks, no commit ids, no version floors.
        Execute("DROP TABLE typedstate_commits; DROP TABLE typedstate_guild_floors; " + DropTimelineTables + "UPDATE typedstate_schema SET version = 2");
        Assert.Equal(0L, Scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('typedstate_commits', 'typedstate_guild_floors')"));

        await using (var state = new SqliteStateManager(ConnectionString))
        {
            Assert.Equal((7, 1L), ((await state.GetAsync<int>(StateOwner.Global, "kept")).Value, (await state.GetAsync<int>(StateOwner.Global, "kept")).Version));

            // Commit ids are remembered ...
            var id = CommitId.New();
            IReadOnlyList<StateWrite> batch = [new(StateOwner.Global, "once", StateWriteKind.Set, "1"u8.ToArray(), null)];
            var first = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);
            var repeat = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);
            Assert.Equal(first.Versions, repeat.Versions);
            Assert.Equal(1, (await state.GetAsync<int>(StateOwner.Global, "once")).Version);

            // ... and a removed agent's versions are a floor for what its guild creates later.
            await state.RemoveAgentAsync("g", "a");
            Assert.Equal(3, await state.SetAsync(StateOwner.Agent("g", "a"), "k", "new", expectedVersion: 0));
        }

        Assert.Equal(CurrentLayout, Scalar("SELECT version FROM typedstate_schema WHERE id = 1"));
        Assert.Equal(2L, Scalar("SELECT version_floor FROM typedstate_guild_floors WHERE guild_id = 'g'"));
    }

    [Fact]
    public async Task A_layout_version_5_file_is_upgraded_in_place_and_its_held_locks_stay_listed_without_a_holder()
    {
        var lease = TimeSpan.FromMinutes(5);
        long token;
        await using (var state = new SqliteStateManager(ConnectionString))
        {
            token = (await state.AcquireLockAsync(StateOwner.Guild("g"), "doc", lease, TimeSpan.Zero)).FencingToken;
        }

        // What a file of layout version 5 looks like: locks without holders.
        Execute(DropLockHolders + "UPDATE typedstate_schema SET version = 5");

        await using (var state = new SqliteStateManager(ConnectionString, new StateManagerOptions { LockHolder = "upgraded" }))
        {
            Assert.Null(await state.TryAcquireLockAsync(StateOwner.Guild("g"), "doc", lease));
            await using var newer = await state.AcquireLockAsync(StateOwner.Guild("g"), "other", lease, TimeSpan.Zero);
            var listed = new List<HeldLock>();
            await foreach (var held in state.ListLocksAsync())
            {
                listed.Add(held);
            }

            Assert.Equal(
                [("doc", token, null), ("other", newer.FencingToken, "upgraded")],
                listed.Select(held => (held.Key, held.Token, held.Holder)));
        }

        Assert.Equal(CurrentLayout, Scalar("SELECT version FROM typedstate_schema WHERE id = 1"));
    }

    [Fact]
    public async Task A_storage_layout_newer_than_the_driver_is_refused_and_the_file_is_left_unchanged()
    {
        await using (var state = new SqliteStateManager(ConnectionString))
        {
            await state.SetAsync(StateOwner.Global, "kept", "value");
        }

        Execute("UPDATE typedstate_schema SET version = 99");

        await using (var state = new SqliteStateManager(ConnectionString))
        {
            var error = await Assert.ThrowsAsync<StateException>(async () => await state.GetAsync<string>(StateOwner.Global, "kept"));
            Assert.Contains("storage layout version 99", error.Message, StringComparison.Ordinal);
            Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(99L, Scalar("SELECT version FROM typedstate_schema WHERE id = 1"));
        Assert.Equal(1L, Scalar("SELECT count(*) FROM typedstate_records WHERE key = 'kept' AND value IS NOT NULL"));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_gives_a_driver_error_naming_the_record()
    {
        await File.WriteAllTextAsync(DatabasePath, new string('x', 4096));
        await using var state = new SqliteStateManager(ConnectionString);
        var owner = StateOwner.Agent("g1", "a1");

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.GetAsync<int>(owner, "visits"));

        Assert.Equal("sqlite", error.Driver);
        Assert.Equal(Scope.Agent, error.Scope);
        Assert.Equal("visits", error.Key);
        Assert.Contains("g1", error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.InnerException);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared")]
    [InlineData("")]
    public void In_memory_or_missing_data_sources_are_refused(string connectionString)
    {
        Assert.Throws<ArgumentException>(() => new SqliteStateDriver(new SqliteStateDriverOptions { ConnectionString = connectionString }));
    }

    [Fact]
    public async Task Configuration_selects_sqlite_with_its_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TypedState:Driver"] = "sqlite",
            ["TypedState:Sqlite:ConnectionString"] = ConnectionString,
            ["TypedState:Sqlite:Synchronous"] = "Normal",
            ["TypedState:Sqlite:ListPageSize"] = "2",
        }).Build();

        await using var services = new ServiceCollection()
            .AddTypedState(b => b.AddSqlite().UseConfiguration(configuration.GetSection("TypedState")))
            .BuildServiceProvider();
        var state = services.GetRequiredService<IStateManager>();
        for (var i = 0; i < 5; i++)
        {
            await state.SetAsync(StateOwner.Guild("g"), $"k{i}", i);
        }

        Assert.Equal([0, 1, 2, 3, 4], await ValuesAsync<int>(state, StateOwner.Guild("g"), "k"));
        Assert.IsType<SqliteStateDriver>(services.GetRequiredService<TypedState.Storage.IStateDriver>());
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public void A_bad_configured_setting_is_named_in_the_error()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TypedState:Driver"] = "Sqlite",
            ["TypedState:Sqlite:ConnectionString"] = ConnectionString,
            ["TypedState:Sqlite:Synchronous"] = "Sometimes",
        }).Build();

        // Read when the driver is first built (or the host starts), not at registration.
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection()
            .AddTypedState(b => b.AddSqlite().UseConfiguration(configuration.GetSection("TypedState")))
            .BuildServiceProvider()
            .GetRequiredService<TypedState.Storage.IStateDriver>());

        Assert.Contains("TypedState:Sqlite:Synchronous", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sometimes", error.Message, StringComparison.Ordinal);
    }

    private object? Scalar(string sql) => SqliteFile.Scalar(ConnectionString, sql);

    private void Execute(string sql) => SqliteFile.Execute(ConnectionString, sql);
}
