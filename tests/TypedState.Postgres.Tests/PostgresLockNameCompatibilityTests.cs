using Npgsql;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// The advisory locks a grant and a writing commit take are named by the server from positional parameters; drivers
/// of earlier versions built the same names in the client (schema, scope, guild and agent joined by U+001F). Both
/// must hash to the same key, or a process of each version running on one database would not exclude the other: here
/// a lock held under the client-built name (with non-ASCII ids) must make the driver wait.
/// </summary>
public sealed class PostgresLockNameCompatibilityTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_grant_waits_for_the_owner_lock_held_under_the_client_built_name()
    {
        var (schema, application, driver) = await DriverAsync("grantname");
        await using var _ = driver;
        var owner = StateOwner.Agent("gilde-ü-東京", "agent-ñ");
        var name = string.Join('\u001F', schema, ((int)Scope.Agent).ToString(System.Globalization.CultureInfo.InvariantCulture), owner.GuildIdOrEmpty, owner.AgentIdOrEmpty);

        await using (var holder = await HoldAsync(PostgresSql.LockOwnerExclusive, name))
        {
            var grant = driver.TryAcquireLockAsync(owner, "resource", TimeSpan.FromMinutes(1), "h", CancellationToken.None).AsTask();
            await _server.WaitForBackendAsync(application, "wait_event_type = 'Lock' AND wait_event = 'advisory'");
            Assert.False(grant.IsCompleted, "the grant did not wait for the owner lock held under the client-built name");
            await holder.DisposeAsync();
            Assert.NotNull(await grant.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task A_write_waits_for_the_guild_lock_held_under_the_client_built_name()
    {
        var (schema, application, driver) = await DriverAsync("guildname");
        await using var _ = driver;
        var owner = StateOwner.Guild("gilde-ü-東京");

        // As a removal of an earlier version holds it: exclusive, on the schema and the guild joined by U+001F.
        await using (var holder = await HoldAsync(PostgresSql.LockGuildExclusive, schema + "\u001F" + owner.GuildIdOrEmpty))
        {
            var write = driver.CommitAsync([new StateWrite(owner, "k", StateWriteKind.Set, "1"u8.ToArray(), null)], [], CommitId.None, CancellationToken.None).AsTask();
            await _server.WaitForBackendAsync(application, "wait_event_type = 'Lock' AND wait_event = 'advisory'");
            Assert.False(write.IsCompleted, "the write did not wait for the guild lock held under the client-built name");
            await holder.DisposeAsync();
            Assert.True((await write.WaitAsync(TimeSpan.FromSeconds(30))).Succeeded);
        }
    }

    private async Task<(string Schema, string Application, PostgresStateDriver Driver)> DriverAsync(string purpose)
    {
        var schema = _schemas.New(purpose);
        var application = $"ts-lockname-{Guid.NewGuid():N}"[..40];
        var driver = new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionStringWith(application), Schema = schema });
        await driver.ReadAsync(StateOwner.Global, "warm-up", CancellationToken.None);
        return (schema, application, driver);
    }

    /// <summary>A connection holding <paramref name="sql"/>'s transaction-scoped advisory lock on <paramref name="name"/> until it is disposed.</summary>
    private async Task<NpgsqlConnection> HoldAsync(string sql, string name)
    {
        var connection = await _server.DataSource.OpenConnectionAsync();
        await using (var begin = new NpgsqlCommand("BEGIN", connection))
        {
            await begin.ExecuteNonQueryAsync();
        }

        await using var hold = new NpgsqlCommand(sql, connection);
        hold.Parameters.Add(new NpgsqlParameter<string>("lock", name));
        await hold.ExecuteNonQueryAsync();
        return connection;
    }
}
