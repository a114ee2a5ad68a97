using Npgsql;
using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>
/// Removing a guild or an agent while a transaction of the same guild commits: the removal either comes wholly after
/// the transaction (everything it wrote is removed) or wholly before (everything it wrote is kept), never half. The
/// steps are ordered with a row lock held from a third connection, so each test takes the one interleaving that
/// used to tear a transaction apart.
/// </summary>
public sealed class PostgresRemovalRaceTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_guild_removal_racing_a_transaction_that_updates_and_inserts_removes_all_of_it()
    {
        var (schema, writer, remover, writing, removing) = await ManagersAsync("guild");
        await using var _ = writer;
        await using var __ = remover;
        var guild = StateOwner.Guild("g");
        var agent = StateOwner.Agent("g", "x");
        await writer.SetAsync(guild, "a", 1);
        await writer.SetAsync(guild, "z", 1);

        // The transaction writes agent x's new key n, then guild key a, then stops at z (rows are written in
        // (scope, guild, agent, key) order), held by the blocker. The removal then starts and has to wait.
        await using var blocker = await HoldAsync(schema, "z");
        var commit = TransactionAsync(writer, guild, agent);
        await _server.WaitForBackendAsync(writing, "wait_event_type = 'Lock'");
        var removal = remover.RemoveGuildAsync("g").AsTask();
        await _server.WaitForBackendAsync(removing, "wait_event_type = 'Lock'");
        await blocker.DisposeAsync();

        await commit.WaitAsync(TimeSpan.FromSeconds(30));
        await removal.WaitAsync(TimeSpan.FromSeconds(30));

        // The transaction committed first (the removal waited for it), so the removal took all of it.
        Assert.False((await writer.GetAsync<int>(guild, "a")).Exists);
        Assert.False((await writer.GetAsync<int>(guild, "z")).Exists);
        Assert.False((await writer.GetAsync<int>(agent, "n")).Exists, "the inserted agent key survived the guild's removal");
        Assert.Equal(0L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records"));
    }

    [Fact]
    public async Task An_agent_removal_racing_a_transaction_that_updates_and_inserts_removes_all_of_its_records()
    {
        var (schema, writer, remover, writing, removing) = await ManagersAsync("agent");
        await using var _ = writer;
        await using var __ = remover;
        var guild = StateOwner.Guild("g");
        var agent = StateOwner.Agent("g", "x");
        await writer.SetAsync(agent, "a", 1);
        await writer.SetAsync(guild, "z", 1);

        await using var blocker = await HoldAsync(schema, "z");
        var commit = Task.Run(async () =>
        {
            await using var transaction = await writer.BeginTransactionAsync();
            await transaction.SetAsync(agent, "a", 2);
            await transaction.SetAsync(agent, "n", 2);
            await transaction.SetAsync(guild, "z", 2);
            await transaction.CommitAsync();
        });
        await _server.WaitForBackendAsync(writing, "wait_event_type = 'Lock'");
        var removal = remover.RemoveAgentAsync("g", "x").AsTask();
        await _server.WaitForBackendAsync(removing, "wait_event_type = 'Lock'");
        await blocker.DisposeAsync();

        await commit.WaitAsync(TimeSpan.FromSeconds(30));
        await removal.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False((await writer.GetAsync<int>(agent, "a")).Exists);
        Assert.False((await writer.GetAsync<int>(agent, "n")).Exists, "the inserted key survived its agent's removal");
        Assert.Equal((2, 2L), ((await writer.GetAsync<int>(guild, "z")).Value, (await writer.GetAsync<int>(guild, "z")).Version));
    }

    [Fact]
    public async Task A_key_created_while_its_guild_is_removed_starts_above_the_removed_versions()
    {
        var (schema, writer, remover, writing, removing) = await ManagersAsync("floor");
        await using var _ = writer;
        await using var __ = remover;
        var guild = StateOwner.Guild("g");
        var agent = StateOwner.Agent("g", "x");
        await writer.SetAsync(guild, "a", 1);
        var stale = await writer.SetAsync(guild, "a", 2);

        // The removal stops on a's row lock, held by the blocker; a single write then creates agent key n. It either
        // waits for the removal or (as it used to) commits under it, with a version the removal's floor does not see.
        await using var blocker = await HoldAsync(schema, "a");
        var removal = remover.RemoveGuildAsync("g").AsTask();
        await _server.WaitForBackendAsync(removing, "wait_event_type = 'Lock'");
        var create = writer.SetAsync(agent, "n", 1).AsTask();
        await WaitUntilDoneOrWaitingAsync(create, writing);
        await blocker.DisposeAsync();
        await removal.WaitAsync(TimeSpan.FromSeconds(30));
        var version = await create.WaitAsync(TimeSpan.FromSeconds(30));

        var n = await writer.GetAsync<int>(agent, "n");
        Assert.True(n.Exists);
        Assert.True(n.Version > stale, $"agent key n, created while its guild was being removed, is at version {n.Version}; the removed key was at {stale}");
        Assert.Equal(n.Version, version);
    }

    private async Task<(string Schema, PostgresStateManager Writer, PostgresStateManager Remover, string Writing, string Removing)> ManagersAsync(string purpose)
    {
        var schema = _schemas.New("race_" + purpose);
        var writing = $"ts-race-write-{Guid.NewGuid():N}"[..40];
        var removing = $"ts-race-remove-{Guid.NewGuid():N}"[..40];
        var writer = new PostgresStateManager(_server.ConnectionStringWith(writing), schema);
        var remover = new PostgresStateManager(_server.ConnectionStringWith(removing), schema);
        await remover.GetAsync<int>(StateOwner.Global, "warm-up");
        return (schema, writer, remover, writing, removing);
    }

    private static Task TransactionAsync(PostgresStateManager state, StateOwner guild, StateOwner agent) => Task.Run(async () =>
    {
        await using var transaction = await state.BeginTransactionAsync();
        await transaction.SetAsync(guild, "a", 2);
        await transaction.SetAsync(agent, "n", 2);
        await transaction.SetAsync(guild, "z", 2);
        await transaction.CommitAsync();
    });

    /// <summary>Waits, at most 30 s, until <paramref name="operation"/> completed or its backend waits for a lock.</summary>
    private async Task WaitUntilDoneOrWaitingAsync(Task operation, string application)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!operation.IsCompleted)
        {
            if (await _server.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}' AND wait_event_type = 'Lock'") is > 0L)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the write neither completed nor waited for a lock within 30 s");
            await Task.WhenAny(operation, Task.Delay(10));
        }
    }

    /// <summary>A connection holding the row lock of <paramref name="key"/> until it is disposed (its transaction then rolls back).</summary>
    private async Task<NpgsqlConnection> HoldAsync(string schema, string key)
    {
        var connection = await _server.DataSource.OpenConnectionAsync();
        await using (var begin = new NpgsqlCommand("BEGIN", connection))
        {
            await begin.ExecuteNonQueryAsync();
        }

        await using var hold = new NpgsqlCommand($"SELECT 1 FROM \"{schema}\".records WHERE key = '{key}' FOR UPDATE", connection);
        Assert.Equal(1, await hold.ExecuteScalarAsync());
        return connection;
    }
}
