using Npgsql;
using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>What happens when the server ends a connection in the middle of a commit.</summary>
public sealed class PostgresConnectionFailureTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_connection_killed_inside_a_commit_fails_it_cleanly_applies_nothing_and_the_manager_keeps_working()
    {
        var schema = _schemas.New("killed");
        var application = "ts-killed-" + Guid.NewGuid().ToString("N")[..12];
        await using var state = new PostgresStateManager(_server.ConnectionStringWith(application), schema);
        var owner = StateOwner.Guild("g");
        await state.SetAsync(owner, "a", 1);
        await state.SetAsync(owner, "b", 1);

        // A second connection holds b's row lock, so the batch stops inside its transaction: a is already written
        // there (rows are written in key order), b waits for the lock.
        await using var blocker = await _server.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = 'b' FOR UPDATE", blocker, blocking))
        {
            Assert.Equal(1, await hold.ExecuteScalarAsync());
        }

        var transaction = await state.BeginTransactionAsync();
        await transaction.SetAsync(owner, "a", 2);
        await transaction.SetAsync(owner, "b", 2);
        await transaction.SetAsync(owner, "c", 2);
        var commit = transaction.CommitAsync().AsTask();

        var pid = await _server.WaitForBackendAsync(application, "wait_event_type = 'Lock'");
        Assert.Equal(true, await _server.ScalarAsync($"SELECT pg_terminate_backend({pid})"));
        await blocking.RollbackAsync();

        // Killed before its COMMIT was sent, the transaction cannot have committed: the error says nothing was stored.
        var error = await Assert.ThrowsAsync<StateDriverException>(() => commit);
        Assert.Equal("postgres", error.Driver);
        Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        Assert.False(transaction.IsActive);
        await transaction.DisposeAsync();

        // Nothing of the batch is visible, not even the row it had written before it was killed.
        var a = await state.GetAsync<int>(owner, "a");
        var b = await state.GetAsync<int>(owner, "b");
        Assert.Equal((1, 1L), (a.Value, a.Version));
        Assert.Equal((1, 1L), (b.Value, b.Version));
        Assert.False((await state.GetAsync<int>(owner, "c")).Exists);

        // The same manager goes on: single writes, listings and a transaction over the same rows all work.
        Assert.Equal(2, await state.SetAsync(owner, "a", 3, expectedVersion: 1));
        await using (var again = await state.BeginTransactionAsync())
        {
            await again.SetAsync(owner, "b", 3);
            await again.SetAsync(owner, "c", 3);
            await again.CommitAsync();
        }

        var listed = new List<(string, int, long)>();
        await foreach (var entry in state.ListAsync<int>(owner, string.Empty))
        {
            listed.Add((entry.Key, entry.Value, entry.Version));
        }

        Assert.Equal([("a", 3, 2L), ("b", 3, 2L), ("c", 3, 1L)], listed);
        Assert.Equal(0L, await _server.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}"));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_gives_a_driver_error_naming_the_record()
    {
        var closed = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Host = "127.0.0.1", Port = 1, Timeout = 2, Pooling = false };
        await using var state = new PostgresStateManager(closed.ToString(), _schemas.New("unreachable"));
        var owner = StateOwner.Agent("g1", "a1");

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.GetAsync<int>(owner, "visits"));

        Assert.Equal("postgres", error.Driver);
        Assert.Equal(Scope.Agent, error.Scope);
        Assert.Equal("visits", error.Key);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }
}
