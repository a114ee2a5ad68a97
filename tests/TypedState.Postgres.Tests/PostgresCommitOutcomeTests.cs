using System.Text;
using Npgsql;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A commit whose answer is lost after the server committed it is reported honestly: the driver says the outcome is
/// unknown, and the manager, repeating the batch under its commit id, learns that it was applied and applies it only
/// once. Failures that cannot have applied anything (a connection that cannot be opened, an error the server
/// answered) are reported as not applied.
/// </summary>
public sealed class PostgresCommitOutcomeTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;
    private AnswerDroppingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.GetSharedAsync();
        var target = new NpgsqlConnectionStringBuilder(_server.ConnectionString);
        _proxy = new AnswerDroppingProxy(target.Host!, target.Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _schemas.DropAllAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => _proxy.DisposeAsync();

    [Fact]
    public async Task An_increment_whose_answer_was_lost_after_it_committed_is_applied_exactly_once()
    {
        var schema = _schemas.New("lost_single");
        await using var state = new PostgresStateManager(ThroughProxy("ts-lost-single"), schema);
        var owner = StateOwner.Agent("g", "a");
        await state.SetAsync(owner, "tally", new Tally("start", 1));
        var marker = NewMarker();
        var dropped = _proxy.DropAnswerAfterRequestWith(Encoding.UTF8.GetBytes(marker));

        var updated = await state.UpdateAsync<Tally>(owner, "tally", t => new Tally(marker, t!.Count + 1)).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(dropped.IsCompleted, "the proxy should have lost the commit's answer");
        Assert.Equal((2, 2L), (updated.Value!.Count, updated.Version));
        await using var direct = new PostgresStateManager(_server.ConnectionString, schema);
        var stored = await direct.GetAsync<Tally>(owner, "tally");
        Assert.Equal((new Tally(marker, 2), 2L), (stored.Value, stored.Version));
    }

    [Fact]
    public async Task A_transaction_whose_commit_answer_was_lost_is_applied_exactly_once()
    {
        var schema = _schemas.New("lost_batch");
        await using var state = new PostgresStateManager(ThroughProxy("ts-lost-batch"), schema);
        var guild = StateOwner.Guild("g");
        var agent = StateOwner.Agent("g", "x");
        await state.SetAsync(guild, "a", new Tally("start", 10));
        var marker = NewMarker();
        var dropped = _proxy.DropAnswerAfterRequestWith(Encoding.UTF8.GetBytes(marker));
        var runs = 0;

        await state.RunTransactionAsync(async (tx, ct) =>
        {
            runs++;
            var a = await tx.GetAsync<Tally>(guild, "a", ct);
            await tx.SetAsync(guild, "a", new Tally(marker, a.Value!.Count + 1), cancellationToken: ct);
            await tx.SetAsync(agent, "n", new Tally(marker, a.Value.Count), cancellationToken: ct);
        }).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(dropped.IsCompleted, "the proxy should have lost the commit's answer");
        Assert.Equal(1, runs);
        await using var direct = new PostgresStateManager(_server.ConnectionString, schema);
        var a = await direct.GetAsync<Tally>(guild, "a");
        var n = await direct.GetAsync<Tally>(agent, "n");
        Assert.Equal((11, 2L), (a.Value!.Count, a.Version));
        Assert.Equal((10, 1L), (n.Value!.Count, n.Version));
    }

    [Fact]
    public async Task An_answer_lost_with_no_time_to_recover_is_reported_as_unknown_and_the_write_is_in_fact_stored()
    {
        var schema = _schemas.New("lost_unknown");
        var options = new StateManagerOptions { CommitRecoveryTimeout = TimeSpan.Zero };
        await using var state = new PostgresStateManager(ThroughProxy("ts-lost-unknown"), schema, options);
        var owner = StateOwner.Guild("g");
        await state.SetAsync(owner, "warm-up", 1);
        var marker = NewMarker();
        var dropped = _proxy.DropAnswerAfterRequestWith(Encoding.UTF8.GetBytes(marker));

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(owner, "k", new Tally(marker, 1)));

        await dropped.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(StateWriteOutcome.Unknown, error.Outcome);
        Assert.Equal("k", error.Key);
        Assert.Contains("may or may not be stored", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        await using var direct = new PostgresStateManager(_server.ConnectionString, schema);
        Assert.Equal(marker, (await direct.GetAsync<Tally>(owner, "k")).Value!.Tag);
    }

    [Fact]
    public async Task A_commit_the_server_refused_with_an_error_is_reported_as_not_applied()
    {
        var schema = _schemas.New("refused");
        await using (var setup = new PostgresStateManager(_server.ConnectionString, schema))
        {
            await setup.SetAsync(StateOwner.Guild("g"), "held", 1);
        }

        // A lock timeout makes the server answer the blocked write with an error; it applied nothing.
        var withTimeout = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Options = "-c lock_timeout=100", ApplicationName = "ts-refused" };
        await using var state = new PostgresStateManager(withTimeout.ToString(), schema);
        await using var blocker = await _server.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = 'held' FOR UPDATE", blocker, blocking))
        {
            Assert.Equal(1, await hold.ExecuteScalarAsync());
        }

        var single = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(StateOwner.Guild("g"), "held", 2));
        var batch = await Assert.ThrowsAsync<StateDriverException>(async () => await state.RunTransactionAsync(async (tx, ct) =>
        {
            await tx.SetAsync(StateOwner.Guild("g"), "other", 3, cancellationToken: ct);
            await tx.SetAsync(StateOwner.Guild("g"), "held", 3, cancellationToken: ct);
        }));
        await blocking.RollbackAsync();

        foreach (var error in new[] { single, batch })
        {
            Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
            Assert.Contains("Nothing was stored", error.Message, StringComparison.Ordinal);
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        }

        var held = await state.GetAsync<int>(StateOwner.Guild("g"), "held");
        Assert.Equal((1, 1L), (held.Value, held.Version));
        Assert.False((await state.GetAsync<int>(StateOwner.Guild("g"), "other")).Exists);
    }

    [Fact]
    public async Task A_commit_that_cannot_open_a_connection_is_reported_as_not_applied_at_once()
    {
        var schema = _schemas.New("unreachable");
        var target = new NpgsqlConnectionStringBuilder(_server.ConnectionString);
        var proxy = new AnswerDroppingProxy(target.Host!, target.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Pooling = false, Timeout = 5 };
        await using var state = new PostgresStateManager(viaProxy.ToString(), schema);
        await state.SetAsync(StateOwner.Guild("g"), "warm-up", 1);
        await proxy.DisposeAsync();

        // Were the failure taken for a lost answer, the manager would repeat for CommitRecoveryTimeout (30 s) first.
        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(StateOwner.Guild("g"), "k", 1).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }

    [Fact]
    public async Task Cancelling_a_single_write_after_it_was_sent_reports_the_outcome_unknown()
    {
        var schema = _schemas.New("cancel_single");
        var application = "ts-cancel-" + Guid.NewGuid().ToString("N")[..12];
        await using var state = new PostgresStateManager(_server.ConnectionStringWith(application), schema);
        var owner = StateOwner.Guild("g");
        await state.SetAsync(owner, "held", 1);
        await using var blocker = await _server.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = 'held' FOR UPDATE", blocker, blocking))
        {
            await hold.ExecuteScalarAsync();
        }

        using var cancel = new CancellationTokenSource();
        var commit = state.Driver.CommitAsync([Set(owner, "held", "2")], [], CommitId.New(), cancel.Token).AsTask();
        await _server.WaitForBackendAsync(application, "wait_event_type = 'Lock'");
        await cancel.CancelAsync();

        await Assert.ThrowsAsync<CommitOutcomeUnknownException>(() => commit.WaitAsync(TimeSpan.FromSeconds(30)));
        await blocking.RollbackAsync();
    }

    [Fact]
    public async Task Cancelling_a_transaction_before_its_commit_was_sent_reports_nothing_applied()
    {
        var schema = _schemas.New("cancel_batch");
        var application = "ts-cancel-batch-" + Guid.NewGuid().ToString("N")[..12];
        await using var state = new PostgresStateManager(_server.ConnectionStringWith(application), schema);
        var owner = StateOwner.Guild("g");
        await state.SetAsync(owner, "held", 1);
        await using var blocker = await _server.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = 'held' FOR UPDATE", blocker, blocking))
        {
            await hold.ExecuteScalarAsync();
        }

        using var cancel = new CancellationTokenSource();
        var commit = state.Driver.CommitAsync([Set(owner, "a", "1"), Set(owner, "held", "2")], [], CommitId.New(), cancel.Token).AsTask();
        await _server.WaitForBackendAsync(application, "wait_event_type = 'Lock'");
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => commit.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsNotType<CommitOutcomeUnknownException>(error);
        await blocking.RollbackAsync();
        Assert.False((await state.GetAsync<string>(owner, "a")).Exists);
        Assert.Equal(1L, (await state.GetAsync<int>(owner, "held")).Version);
    }

    [Fact]
    public async Task A_repeat_of_a_commit_still_running_waits_for_it_and_returns_its_result_without_applying_again()
    {
        var schema = _schemas.New("repeat_waits");
        var first = "ts-first-" + Guid.NewGuid().ToString("N")[..12];
        var second = "ts-repeat-" + Guid.NewGuid().ToString("N")[..12];
        await using var original = new PostgresStateManager(_server.ConnectionStringWith(first), schema);
        await using var repeating = new PostgresStateManager(_server.ConnectionStringWith(second), schema);
        var owner = StateOwner.Guild("g");
        await original.SetAsync(owner, "a", 1);
        await original.SetAsync(owner, "held", 1);

        // The original stops inside its transaction, on a row lock held by a third connection.
        await using var blocker = await _server.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = 'held' FOR UPDATE", blocker, blocking))
        {
            await hold.ExecuteScalarAsync();
        }

        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [Set(owner, "a", "2"), Set(owner, "held", "2"), Set(owner, "new", "2")];
        var originalCommit = original.Driver.CommitAsync(batch, [], id, CancellationToken.None).AsTask();
        await _server.WaitForBackendAsync(first, "wait_event_type = 'Lock'");
        var repeatCommit = repeating.Driver.CommitAsync(batch, [], id, CancellationToken.None).AsTask();
        await _server.WaitForBackendAsync(second, "wait_event_type = 'Lock'");
        Assert.False(repeatCommit.IsCompleted);
        await blocking.RollbackAsync();

        var firstResult = await originalCommit.WaitAsync(TimeSpan.FromSeconds(30));
        var repeatResult = await repeatCommit.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(firstResult.Succeeded && repeatResult.Succeeded);
        Assert.Equal([2L, 2L, 1L], firstResult.Versions);
        Assert.Equal(firstResult.Versions, repeatResult.Versions);
        Assert.Equal(2L, (await original.GetAsync<int>(owner, "a")).Version);
        Assert.Equal(2L, (await original.GetAsync<int>(owner, "held")).Version);
        Assert.Equal(1L, (await original.GetAsync<int>(owner, "new")).Version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1L)]
    public async Task A_repeat_of_a_single_write_still_running_waits_for_it_and_returns_its_result_without_applying_again(long? expected)
    {
        var schema = _schemas.New("repeat_single");
        var first = "ts-first1-" + Guid.NewGuid().ToString("N")[..12];
        var second = "ts-repeat1-" + Guid.NewGuid().ToString("N")[..12];
        await using var original = new PostgresStateManager(_server.ConnectionStringWith(first), schema);
        await using var repeating = new PostgresStateManager(_server.ConnectionStringWith(second), schema);
        var owner = StateOwner.Agent("g", "a");
        await original.SetAsync(owner, "held", 1);
        await repeating.GetAsync<int>(owner, "held");

        await using var blocker = await _server.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = 'held' FOR UPDATE", blocker, blocking))
        {
            await hold.ExecuteScalarAsync();
        }

        var id = CommitId.New();
        IReadOnlyList<StateWrite> write = [new(owner, "held", StateWriteKind.Set, "2"u8.ToArray(), expected)];
        var originalCommit = original.Driver.CommitAsync(write, [], id, CancellationToken.None).AsTask();
        await _server.WaitForBackendAsync(first, "wait_event_type = 'Lock'");
        var repeatCommit = repeating.Driver.CommitAsync(write, [], id, CancellationToken.None).AsTask();
        await _server.WaitForBackendAsync(second, "wait_event_type = 'Lock'");
        await blocking.RollbackAsync();

        var firstResult = await originalCommit.WaitAsync(TimeSpan.FromSeconds(30));
        var repeatResult = await repeatCommit.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([2L], firstResult.Versions);
        Assert.True(repeatResult.Succeeded);
        Assert.Equal(firstResult.Versions, repeatResult.Versions);
        Assert.Equal((2, 2L), ((await original.GetAsync<int>(owner, "held")).Value, (await original.GetAsync<int>(owner, "held")).Version));
    }

    private string ThroughProxy(string application) =>
        new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Host = "127.0.0.1", Port = _proxy.Port, ApplicationName = application }.ToString();

    private static string NewMarker() => "marker-" + Guid.NewGuid().ToString("N");

    private static StateWrite Set(StateOwner owner, string key, string json) =>
        new(owner, key, StateWriteKind.Set, Encoding.UTF8.GetBytes(json), null);

    private sealed record Tally(string Tag, int Count);
}
