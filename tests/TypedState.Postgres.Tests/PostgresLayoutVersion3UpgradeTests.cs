using TypedState.Postgres;
using TypedState.Timeline;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A schema of storage layout version 3, as that driver left it (its three upgrades, unchanged since), is upgraded in
/// place to the current layout: records keep their values and versions, the timeline tables appear, and a timeline
/// started on the upgraded schema turns what the guild held into its first entries.
/// </summary>
public sealed class PostgresLayoutVersion3UpgradeTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_layout_version_3_schema_is_upgraded_in_place_and_its_guilds_can_start_timelines()
    {
        var schema = _schemas.New("v3");
        await CreateLayoutVersion3SchemaAsync(schema);
        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".records (scope, guild_id, agent_id, key, value, value_bytes, version) VALUES
                (2, 'g', '', 'plan', '"draft"', NULL, 3),
                (2, 'g', '', 'deleted', NULL, NULL, 5),
                (1, 'g', 'a', 'memory', NULL, '\xff7b', 7),
                (3, '', '', 'global', '1', NULL, 1);
            INSERT INTO "{{schema}}".guild_floors VALUES ('g', 9);
            """);
        var guild = StateOwner.Guild("g");
        var agent = StateOwner.Agent("g", "a");

        await using var state = new PostgresStateManager(_server.ConnectionString, schema);

        Assert.Equal(("draft", 3L), ((await state.GetAsync<string>(guild, "plan")).Value, (await state.GetAsync<string>(guild, "plan")).Version));
        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal(
            "timeline_entries,timeline_pins,timeline_snapshots,timelines",
            await _server.ScalarAsync($"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{schema}' AND table_name LIKE 'timeline%'"));

        // What the guild held becomes the first entries (agents first, then the guild, in key order); tombstones do not.
        var started = await state.Timelines.StartAsync("g");
        Assert.Equal(2, started.Head);
        var entries = new List<TimelineEntry>();
        await foreach (var entry in state.Timelines.ReadAsync("g"))
        {
            entries.Add(entry);
        }

        Assert.Equal([(1L, agent, "memory", 7L), (2L, guild, "plan", 3L)], entries.Select(e => (e.Sequence, e.Owner, e.Key, e.Version)));
        Assert.Equal(new byte[] { 0xFF, 0x7B }, entries[0].Value.ToArray());

        // The floor and the tombstone still hold: versions continue above them, and the write is the third entry.
        Assert.Equal(6, await state.SetAsync(guild, "deleted", "back", expectedVersion: 0));
        Assert.Equal(10, await state.SetAsync(guild, "fresh", "new"));
        Assert.Equal(4, (await state.Timelines.GetAsync("g"))!.Head);
    }

    /// <summary>The tables of storage layout version 3, built by that version's own upgrades (1 to 3), at version 3.</summary>
    private async Task CreateLayoutVersion3SchemaAsync(string schema)
    {
        var sql = new PostgresSql(schema, PostgresValueStorage.Jsonb);
        await _server.ExecuteAsync($"CREATE SCHEMA \"{schema}\"; {sql.CreateLayoutVersionTable}; INSERT INTO \"{schema}\".schema_version (id, version) VALUES (1, 3)");
        for (var version = 1; version <= 3; version++)
        {
            await _server.ExecuteAsync(sql.LayoutUpgrades[version - 1]);
        }
    }
}
