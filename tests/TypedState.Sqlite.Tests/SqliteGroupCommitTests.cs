using System.Text;
using TypedState.Sqlite;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Tests.Sqlite;

/// <summary>
/// Writes queued while the write lock is busy are committed together in one transaction, each batch keeping its own
/// all-or-nothing outcome (and, in a guild with a timeline, its entries consecutive). The writes are queued
/// deterministically behind another process's write lock, then the lock is released.
/// </summary>
public sealed class SqliteGroupCommitTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);
    private static readonly StateOwner s_guild = StateOwner.Guild("g");

    private readonly TempDirectory _directory = new();

    private string ConnectionString => _directory.ConnectionString();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Writes_queued_behind_the_lock_commit_in_one_transaction_and_a_refused_batch_fails_alone()
    {
        await using var state = new SqliteStateManager(ConnectionString);
        var driver = (SqliteStateDriver)state.Driver;
        await state.SetAsync(s_guild, "taken", "first");
        await using var holder = await WriteLockHolder.StartAsync(ConnectionString);
        var transactionsBefore = driver.WriteTransactions;

        var singles = Enumerable.Range(0, 5)
            .Select(i => driver.CommitAsync([Set(StateOwner.Agent("g", $"a{i}"), "k", $"{i}", null)], [], CommitId.New(), CancellationToken.None).AsTask())
            .ToArray();
        var refused = driver.CommitAsync([Set(s_guild, "part", "\"x\"", null), Set(s_guild, "taken", "\"mine\"", 0)], [], CommitId.New(), CancellationToken.None).AsTask();
        var pair = driver.CommitAsync([Set(s_guild, "p1", "1", null), Set(s_guild, "p2", "2", 0)], [], CommitId.New(), CancellationToken.None).AsTask();
        Task<CommitResult>[] all = [.. singles, refused, pair];
        Assert.All(all, write => Assert.False(write.IsCompleted, "A write completed while another process held the lock."));

        await holder.ReleaseAsync();
        var results = await Task.WhenAll(all).WaitAsync(s_bound);

        Assert.Equal(transactionsBefore + 1, driver.WriteTransactions);
        Assert.All(results[..5], result => Assert.Equal([1L], result.Versions));
        Assert.Equal([1L, 1L], results[6].Versions);
        Assert.Equal((CommitFailure.Version, 1, 1L), (results[5].Failure, results[5].ConflictIndex, results[5].ActualVersion));
        Assert.Null(await driver.ReadAsync(s_guild, "part", CancellationToken.None));
        var taken = await state.GetAsync<string>(s_guild, "taken");
        Assert.Equal(("first", 1L), (taken.Value, taken.Version));
    }

    [Fact]
    public async Task A_batch_that_fails_with_an_error_inside_a_group_fails_alone_naming_its_records_and_the_others_apply()
    {
        await using var state = new SqliteStateManager(ConnectionString);
        await state.SetAsync(s_guild, "warm-up", 0);
        Execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON typedstate_records WHEN NEW.key = 'poison' BEGIN SELECT RAISE(ABORT, 'poison refused'); END");
        await using var holder = await WriteLockHolder.StartAsync(ConnectionString);

        var before = state.SetAsync(s_guild, "before", 1).AsTask();
        var transaction = await state.BeginTransactionAsync();
        await transaction.SetAsync(StateOwner.Agent("g", "a"), "other", 2);
        await transaction.SetAsync(s_guild, "poison", 3);
        Task failing = transaction.CommitAsync().AsTask();
        var after = state.SetAsync(s_guild, "after", 4).AsTask();
        Assert.All([before, failing, after], write => Assert.False(write.IsCompleted, "A write completed while another process held the lock."));

        await holder.ReleaseAsync();

        var error = await Assert.ThrowsAsync<StateDriverException>(() => failing.WaitAsync(s_bound));
        Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
        Assert.Contains("poison refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("batch of 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("scope Agent, guild 'g', agent 'a', key 'other'", error.Message, StringComparison.Ordinal);
        Assert.Contains("scope Guild, guild 'g', key 'poison'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await before.WaitAsync(s_bound));
        Assert.Equal(1, await after.WaitAsync(s_bound));
        Assert.False((await state.GetAsync<int>(StateOwner.Agent("g", "a"), "other")).Exists);
        await transaction.DisposeAsync();
    }

    [Fact]
    public async Task Batches_committed_together_keep_their_entries_consecutive_and_a_refused_one_logs_nothing()
    {
        await using var state = new SqliteStateManager(ConnectionString);
        var driver = (SqliteStateDriver)state.Driver;
        await state.Timelines.StartAsync("g");
        await state.SetAsync(s_guild, "taken", "first");
        await using var holder = await WriteLockHolder.StartAsync(ConnectionString);
        var transactionsBefore = driver.WriteTransactions;

        var ids = Enumerable.Range(0, 6).Select(_ => CommitId.New()).ToArray();
        var batches = ids.Select((id, i) => driver.CommitAsync(
            [
                Write(StateOwner.Agent("g", $"a{i}"), "k", StateWriteKind.Set, $"{i}", null),
                Write(s_guild, $"b{i}", StateWriteKind.Set, $"{i}", null),
                Write(StateOwner.Agent("g", $"a{i}"), $"evt-{i}", StateWriteKind.Append, "\"e\"", null),
            ],
            [],
            id,
            CancellationToken.None).AsTask()).ToArray();
        var refused = driver.CommitAsync(
            [Write(s_guild, "part", StateWriteKind.Set, "1", null), Write(s_guild, "taken", StateWriteKind.Set, "2", 0)],
            [],
            CommitId.New(),
            CancellationToken.None).AsTask();
        Task<CommitResult>[] all = [.. batches, refused];
        Assert.All(all, write => Assert.False(write.IsCompleted, "A write completed while another process held the lock."));

        await holder.ReleaseAsync();
        var results = await Task.WhenAll(all).WaitAsync(s_bound);

        Assert.Equal(transactionsBefore + 1, driver.WriteTransactions);
        Assert.Equal(CommitFailure.Version, results[^1].Failure);
        var entries = new List<TimelineEntry>();
        await foreach (var entry in state.Timelines.ReadAsync("g", afterSequence: 1))
        {
            entries.Add(entry);
        }

        Assert.Equal(Enumerable.Range(2, 18).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.DoesNotContain(entries, e => e.Key == "part");
        for (var i = 0; i < ids.Length; i++)
        {
            var own = entries.Where(e => e.CommitId == ids[i].Value).ToList();
            Assert.Equal(
                [(TimelineEntryKind.Set, "k"), (TimelineEntryKind.Set, $"b{i}"), (TimelineEntryKind.Append, $"evt-{i}")],
                own.Select(e => (e.Kind, e.Key)));
            Assert.Equal([own[0].Sequence, own[0].Sequence + 1, own[0].Sequence + 2], own.Select(e => e.Sequence));
            Assert.Equal(own[2].Sequence, results[i].Versions[2]);
        }
    }

    private static StateWrite Set(StateOwner owner, string key, string json, long? expectedVersion) => Write(owner, key, StateWriteKind.Set, json, expectedVersion);

    private static StateWrite Write(StateOwner owner, string key, StateWriteKind kind, string json, long? expectedVersion) =>
        new(owner, key, kind, Encoding.UTF8.GetBytes(json), expectedVersion);

    private void Execute(string sql) => SqliteFile.Execute(ConnectionString, sql);
}
