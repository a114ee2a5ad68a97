using TypedState.Postgres;
using TypedState.Timeline;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A schema of storage layout version 4, as that driver left it (its four upgrades, unchanged since), with a guild
/// keeping a timeline and a fork of it, is upgraded in place to layout 5: the timelines and their entries read as
/// before, snapshots and pins can be kept, and the replaced pruning drops the snapshots below its horizon.
/// </summary>
public sealed class PostgresLayoutVersion4UpgradeTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_layout_version_4_schema_is_upgraded_in_place_and_its_timelines_keep_snapshots()
    {
        var schema = await _schemas.NewAtLayoutAsync(_server, "v4", 4);
        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".records (scope, guild_id, agent_id, key, value, value_bytes, version) VALUES
                (2, 'g', '', 'plan', '"final"', NULL, 2),
                (1, 'g', 'a', 'notes', '"a"', NULL, 1);
            INSERT INTO "{{schema}}".timelines (guild_id, head) VALUES ('g', 3);
            INSERT INTO "{{schema}}".timelines (guild_id, head, parent, fork_sequence) VALUES ('f', 1, 'g', 1);
            INSERT INTO "{{schema}}".timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at) VALUES
                ('g', 1, 0, 2, '', 'plan', 0, 1, '"draft"', NULL, gen_random_uuid(), now()),
                ('g', 2, 0, 1, 'a', 'notes', 0, 1, '"a"', NULL, gen_random_uuid(), now()),
                ('g', 3, 0, 2, '', 'plan', 1, 2, '"final"', NULL, gen_random_uuid(), now());
            """);
        var guild = StateOwner.Guild("g");

        await using var state = new PostgresStateManager(_server.ConnectionString, schema);

        Assert.Equal("final", (await state.GetAsync<string>(guild, "plan")).Value);
        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal(
            "timeline_entries,timeline_pins,timeline_snapshots,timelines",
            await _server.ScalarAsync($"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{schema}' AND table_name LIKE 'timeline%'"));

        // The timelines read as before: the source as of an old sequence, and the fork through its source.
        Assert.Equal("draft", (await state.Timelines.GetAsOfAsync<string>(guild, "plan", 2)).Value);
        Assert.Equal("draft", (await state.GetAsync<string>(StateOwner.Guild("f"), "plan")).Value);

        // Snapshots are kept on the upgraded schema, the fork starting with none; a write continues the sequences.
        var snapshot = await state.Timelines.SnapshotAsync("g", atSequence: 2);
        Assert.Equal([guild, StateOwner.Agent("g", "a")], snapshot.Owners.Select(o => o.Owner));
        await state.SetAsync(guild, "plan", "done");
        await state.Timelines.SnapshotAsync("g");
        Assert.Equal([4L, 2L], await SnapshotsAsync(state, "g"));
        Assert.Empty(await SnapshotsAsync(state, "f"));

        // The replaced pruning keeps the fork point, then a pin, and the snapshots from there on; the rebuild is exact.
        var pruned = await state.Timelines.PruneAsync("g", 3);
        Assert.Equal(1, pruned.RetainedFrom);
        Assert.Equal([4L, 2L], await SnapshotsAsync(state, "g"));
        await state.RemoveGuildAsync("f");
        await state.Timelines.PinAsync("g", 2);
        Assert.Equal(2, (await state.Timelines.PruneAsync("g", 3)).RetainedFrom);
        Assert.Equal([4L, 2L], await SnapshotsAsync(state, "g"));
        await state.Timelines.UnpinAsync("g", 2);
        pruned = await state.Timelines.PruneAsync("g", 3);
        Assert.Equal(3, pruned.RetainedFrom);
        Assert.Equal([4L], await SnapshotsAsync(state, "g"));
        var rebuilt = await state.Timelines.RebuildAsync("g", 4);
        Assert.Equal("\"done\"", System.Text.Encoding.UTF8.GetString(rebuilt.Find(guild, "plan")!.Value.Span));
    }

    private static async Task<List<long>> SnapshotsAsync(PostgresStateManager state, string guildId)
    {
        var sequences = new List<long>();
        await foreach (var sequence in state.Timelines.ListSnapshotsAsync(guildId))
        {
            sequences.Add(sequence);
        }

        return sequences;
    }
}
