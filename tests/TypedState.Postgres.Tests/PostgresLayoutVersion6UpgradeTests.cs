using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A schema of storage layout version 6, as that driver left it (its six upgrades, unchanged since), holding a lock,
/// is upgraded in place to layout 7: the lock stays held and listed, without a holder, and new locks record theirs.
/// </summary>
public sealed class PostgresLayoutVersion6UpgradeTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_layout_version_6_schema_is_upgraded_in_place_and_its_held_lock_is_listed_without_a_holder()
    {
        var schema = await _schemas.NewAtLayoutAsync(_server, "v6", 6);

        // A lock as layout 6 granted it: token 4 of the guild, held for a while yet.
        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".lock_owners (scope, guild_id, agent_id, last_token) VALUES (2, 'g', '', 4);
            INSERT INTO "{{schema}}".locks (scope, guild_id, agent_id, resource, token, expires_at) VALUES (2, 'g', '', 'doc', 4, clock_timestamp() + interval '5 minutes');
            """);

        await using var state = new PostgresStateManager(
            new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema },
            new StateManagerOptions { LockHolder = "upgraded" });
        var lease = TimeSpan.FromMinutes(5);
        Assert.Null(await state.TryAcquireLockAsync(StateOwner.Guild("g"), "doc", lease));
        await using var newer = await state.AcquireLockAsync(StateOwner.Guild("g"), "other", lease, TimeSpan.Zero);

        var listed = new List<HeldLock>();
        await foreach (var held in state.ListLocksAsync(Scope.Guild))
        {
            listed.Add(held);
        }

        Assert.Equal([("doc", 4L, null), ("other", 5L, "upgraded")], listed.Select(held => (held.Key, held.Token, held.Holder)));
        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
    }
}
