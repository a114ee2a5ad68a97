using System.Text;
using Microsoft.Data.Sqlite;
using TypedState.Sqlite;
using TypedState.Storage;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// What the SQLite driver says when a commit fails: an error at COMMIT after the transaction may have reached the file
/// is an unknown outcome (the manager repeats the batch under its commit id and learns it was applied once); applied
/// commit ids are remembered for their retention and pruned after it.
/// </summary>
public sealed class SqliteCommitOutcomeTests : IDisposable
{
    // SQLITE_IOERR_FSYNC: the WAL frames were written but could not be synced.
    private const int IoErrorFsync = 10 | (4 << 8);

    private readonly TempDirectory _directory = new();

    private string ConnectionString => _directory.ConnectionString();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_io_error_reported_by_COMMIT_is_an_unknown_outcome_and_the_repeat_under_its_commit_id_applies_nothing()
    {
        await using var state = new SqliteStateManager(ConnectionString);
        var driver = (SqliteStateDriver)state.Driver;
        driver.Writer.CommitFault = FailOnce();
        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [Set(StateOwner.Global, "k", "1"), Set(StateOwner.Guild("g"), "k", "2")];

        var lost = await Assert.ThrowsAsync<CommitOutcomeUnknownException>(() => driver.CommitAsync(batch, [], id, CancellationToken.None).AsTask());
        var repeat = await driver.CommitAsync(batch, [], id, CancellationToken.None);

        Assert.IsType<SqliteException>(lost.InnerException);
        Assert.Contains("unknown", lost.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 1L], repeat.Versions);
        Assert.Equal(1, (await state.GetAsync<int>(StateOwner.Global, "k")).Version);
    }

    [Fact]
    public async Task An_update_whose_commit_answer_was_lost_is_applied_once()
    {
        await using var state = new SqliteStateManager(ConnectionString);
        await state.SetAsync(StateOwner.Global, "counter", 41);
        ((SqliteStateDriver)state.Driver).Writer.CommitFault = FailOnce();

        var updated = await state.UpdateAsync<int>(StateOwner.Global, "counter", n => n + 1);

        Assert.Equal((42, 2L), (updated.Value, updated.Version));
        var stored = await state.GetAsync<int>(StateOwner.Global, "counter");
        Assert.Equal((42, 2L), (stored.Value, stored.Version));
    }

    [Fact]
    public async Task Commit_ids_are_forgotten_and_pruned_after_their_retention()
    {
        var clock = new ManualClock();
        var options = new SqliteStateDriverOptions { ConnectionString = ConnectionString, TimeProvider = clock, CommitIdRetention = TimeSpan.FromMinutes(1) };
        await using var state = new SqliteStateManager(options);
        var driver = state.Driver;
        var old = CommitId.New();
        IReadOnlyList<StateWrite> batch = [Set(StateOwner.Global, "k", "1")];
        await driver.CommitAsync(batch, [], old, CancellationToken.None);
        Assert.Equal(1L, Scalar("SELECT count(*) FROM typedstate_commits"));

        clock.Now += TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1);
        await driver.CommitAsync([Set(StateOwner.Global, "other", "1")], [], CommitId.New(), CancellationToken.None);

        Assert.Equal(1L, Scalar("SELECT count(*) FROM typedstate_commits"));
        Assert.Equal([2L], (await driver.CommitAsync(batch, [], old, CancellationToken.None)).Versions);
    }

    /// <summary>Reports SQLITE_IOERR_FSYNC for the first COMMIT (which did reach the file), nothing after.</summary>
    private static Func<Exception?> FailOnce()
    {
        var calls = 0;
        return () => Interlocked.Increment(ref calls) == 1 ? new SqliteException("SQLite Error 10: 'disk I/O error'.", 10, IoErrorFsync) : null;
    }

    private static StateWrite Set(StateOwner owner, string key, string json) =>
        new(owner, key, StateWriteKind.Set, Encoding.UTF8.GetBytes(json), null);

    private object? Scalar(string sql) => SqliteFile.Scalar(ConnectionString, sql);
}
