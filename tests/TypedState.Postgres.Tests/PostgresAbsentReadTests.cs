using Npgsql;
using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A transaction that read keys as absent keeps them absent until it commits (nobody can create them under it), and
/// leaves no trace of them in the table once it ended.
/// </summary>
public sealed class PostgresAbsentReadTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Committed_transactions_that_read_absent_keys_leave_only_the_rows_they_wrote()
    {
        var schema = _schemas.New("absent");
        await using var state = new PostgresStateManager(_server.ConnectionString, schema);
        var owner = StateOwner.Agent("g", "a");

        for (var t = 0; t < 100; t++)
        {
            await using var transaction = await state.BeginTransactionAsync();
            for (var k = 0; k < 100; k++)
            {
                Assert.False((await transaction.GetAsync<int>(owner, $"absent-{t}-{k}")).Exists);
            }

            await transaction.SetAsync(owner, $"written-{t}", t);
            await transaction.CommitAsync();
        }

        Assert.Equal(100L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records"));
        Assert.Equal(0L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records WHERE key LIKE 'absent-%'"));
    }

    [Fact]
    public async Task A_key_a_committing_transaction_read_as_absent_cannot_be_created_until_it_ended_and_leaves_no_row()
    {
        var schema = _schemas.New("absent_locked");
        var committing = $"ts-absent-tx-{Guid.NewGuid():N}"[..40];
        var creating = $"ts-absent-create-{Guid.NewGuid():N}"[..40];
        await using var state = new PostgresStateManager(_server.ConnectionStringWith(committing), schema);
        await using var other = new PostgresStateManager(_server.ConnectionStringWith(creating), schema);
        var owner = StateOwner.Guild("g");
        await state.SetAsync(owner, "z", 1);

        // The transaction read "k" as absent and writes "z", where it waits for a row lock held by a third connection.
        await using var blocker = await _server.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = 'z' FOR UPDATE", blocker, blocking))
        {
            Assert.Equal(1, await hold.ExecuteScalarAsync());
        }

        var transaction = await state.BeginTransactionAsync();
        Assert.False((await transaction.GetAsync<int>(owner, "k")).Exists);
        await transaction.SetAsync(owner, "z", 2);
        var commit = transaction.CommitAsync().AsTask();
        await _server.WaitForBackendAsync(committing, "wait_event_type = 'Lock'");

        // Creating "k" meanwhile has to wait for the transaction: its read of "k" must still hold when it commits.
        var create = other.SetAsync(owner, "k", 1, expectedVersion: 0).AsTask();
        await _server.WaitForBackendAsync(creating, "wait_event_type = 'Lock'");
        Assert.False(create.IsCompleted);
        await blocking.RollbackAsync();

        await commit.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await create.WaitAsync(TimeSpan.FromSeconds(30)));
        await transaction.DisposeAsync();
        Assert.Equal((2, 2L), ((await state.GetAsync<int>(owner, "z")).Value, (await state.GetAsync<int>(owner, "z")).Version));
        Assert.Equal(2L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records"));
    }
}
