using Npgsql;
using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>
/// An error the server raises for one record of a multi-record commit names that record (scope, owner and key), not
/// an unknown owner, and says that nothing was stored. A database in LATIN1 refuses keys it cannot encode: the way
/// to make the server, not the client, refuse one record of a batch.
/// </summary>
public sealed class PostgresBatchErrorTests : IAsyncLifetime
{
    private readonly string _database = "ts_latin1_" + Guid.NewGuid().ToString("N")[..12];
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.GetSharedAsync();
        await _server.ExecuteAsync($"CREATE DATABASE {_database} TEMPLATE template0 ENCODING 'LATIN1' LOCALE 'C'");
    }

    public async Task DisposeAsync() => await _server.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");

    [Fact]
    public async Task A_record_the_server_refuses_inside_a_multi_record_commit_is_named_with_its_scope_owner_and_key()
    {
        var latin1 = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = _database, Pooling = false };
        await using var state = new PostgresStateManager(latin1.ToString(), "ts_batch_errors");
        var guild = StateOwner.Guild("g");
        var agent = StateOwner.Agent("g", "x");
        await state.SetAsync(guild, "a", 1);

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.RunTransactionAsync(async (tx, ct) =>
        {
            await tx.SetAsync(guild, "a", 2, cancellationToken: ct);
            await tx.SetAsync(agent, "日本", 2, cancellationToken: ct);
            await tx.SetAsync(StateOwner.Global, "b", 2, cancellationToken: ct);
        }));

        Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
        Assert.Equal(agent, error.Owner);
        Assert.Equal("日本", error.Key);
        Assert.Contains("scope Agent, guild 'g', agent 'x', key '日本'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("owner unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was stored", error.Message, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.UntranslatableCharacter, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.Equal((1, 1L), ((await state.GetAsync<int>(guild, "a")).Value, (await state.GetAsync<int>(guild, "a")).Version));
        Assert.False((await state.GetAsync<int>(StateOwner.Global, "b")).Exists);
    }

    [Fact]
    public async Task A_single_write_the_server_refuses_is_named_with_its_scope_owner_and_key()
    {
        var latin1 = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = _database, Pooling = false };
        await using var state = new PostgresStateManager(latin1.ToString(), "ts_single_errors");
        var agent = StateOwner.Agent("g", "x");

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(agent, "日本", 1));

        Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
        Assert.Equal(agent, error.Owner);
        Assert.Equal("日本", error.Key);
        Assert.Equal(PostgresErrorCodes.UntranslatableCharacter, Assert.IsType<PostgresException>(error.InnerException).SqlState);
    }
}
