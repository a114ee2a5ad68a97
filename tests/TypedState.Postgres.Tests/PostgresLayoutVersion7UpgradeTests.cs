using TypedState.Postgres;
using TypedState.Timeline;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A schema of storage layout version 7, as that driver left it (its seven upgrades, unchanged since), with a guild
/// keeping a timeline, is upgraded in place to layout 8: the one-guild opening function is created and logged
/// commits go on from the same head.
/// </summary>
public sealed class PostgresLayoutVersion7UpgradeTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_layout_version_7_schema_gets_the_one_guild_opening_function()
    {
        var schema = await _schemas.NewAtLayoutAsync(_server, "v7", 7);

        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".records (scope, guild_id, agent_id, key, value, value_bytes, version) VALUES (2, 'g', '', 'plan', '"draft"', NULL, 1);
            INSERT INTO "{{schema}}".timelines (guild_id, head) VALUES ('g', 1);
            INSERT INTO "{{schema}}".timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at) VALUES
                ('g', 1, 0, 2, '', 'plan', 0, 1, '"draft"', NULL, gen_random_uuid(), now());
            """);
        Assert.Equal(false, await _server.ScalarAsync($"SELECT to_regproc('\"{schema}\".lock_logged_one') IS NOT NULL"));

        await using var state = new PostgresStateManager(_server.ConnectionString, schema);
        var guild = StateOwner.Guild("g");
        Assert.Equal(2L, await state.SetAsync(guild, "plan", "final"));

        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal(true, await _server.ScalarAsync($"SELECT to_regproc('\"{schema}\".lock_logged_one') IS NOT NULL"));
        Assert.Equal(2L, (await state.Timelines.GetAsync("g"))!.Head);
        Assert.Equal("final", (await state.Timelines.GetAsOfAsync<string>(guild, "plan", 2)).Value);
    }
}
