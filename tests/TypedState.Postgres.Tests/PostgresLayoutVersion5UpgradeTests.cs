using TypedState.Postgres;
using TypedState.Timeline;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A schema of storage layout version 5, its logged commit's closing function as that layout created it (a join of
/// the timeline and its entries), is upgraded in place to layout 6: the function becomes two primary-key lookups and
/// logged commits go on from the same head.
/// </summary>
public sealed class PostgresLayoutVersion5UpgradeTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_layout_version_5_schema_gets_the_closing_function_without_a_join()
    {
        var schema = await _schemas.NewAtLayoutAsync(_server, "v5", 5);
        var guild = StateOwner.Guild("g");

        // The function as layout 5 created it, and a guild whose timeline holds one entry.
        await _server.ExecuteAsync(LayoutVersion5FinishLogged.Replace("{s}", $"\"{schema}\"", StringComparison.Ordinal));
        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".records (scope, guild_id, agent_id, key, value, value_bytes, version) VALUES (2, 'g', '', 'plan', '"draft"', NULL, 1);
            INSERT INTO "{{schema}}".timelines (guild_id, head) VALUES ('g', 1);
            INSERT INTO "{{schema}}".timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at) VALUES
                ('g', 1, 0, 2, '', 'plan', 0, 1, '"draft"', NULL, gen_random_uuid(), now());
            """);
        Assert.Contains(" JOIN ", await FinishLoggedAsync(schema), StringComparison.Ordinal);

        await using var state = new PostgresStateManager(_server.ConnectionString, schema);
        Assert.Equal(2L, await state.SetAsync(guild, "plan", "final"));

        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.DoesNotContain(" JOIN ", await FinishLoggedAsync(schema), StringComparison.Ordinal);
        Assert.Equal(2L, (await state.Timelines.GetAsync("g"))!.Head);
        Assert.Equal("draft", (await state.Timelines.GetAsOfAsync<string>(guild, "plan", 1)).Value);
        Assert.Equal("final", (await state.Timelines.GetAsOfAsync<string>(guild, "plan", 2)).Value);
    }

    private async Task<string> FinishLoggedAsync(string schema) =>
        (string)(await _server.ScalarAsync($"SELECT pg_get_functiondef('\"{schema}\".finish_logged'::regproc)"))!;

    /// <summary>The closing function as storage layout 5 created it.</summary>
    private const string LayoutVersion5FinishLogged =
        """
        CREATE OR REPLACE FUNCTION {s}.finish_logged(p_guilds text[], p_offsets bigint[], p_commit uuid, p_retention interval) RETURNS bigint[] LANGUAGE plpgsql AS $f$
        DECLARE
            result bigint[] := '{}';
            v bigint;
        BEGIN
            FOR i IN 1 .. cardinality(p_guilds) LOOP
                v := NULL;
                SELECT CASE WHEN e.kind = 1 THEN e.previous_version ELSE e.version END INTO v
                FROM {s}.timelines t JOIN {s}.timeline_entries e ON e.guild_id = t.guild_id AND e.seq = t.head + p_offsets[i]
                WHERE t.guild_id = p_guilds[i];
                IF v IS NULL THEN
                    RAISE EXCEPTION USING ERRCODE = 'TSL07', MESSAGE = 'a condition failed';
                END IF;
                result := result || v;
            END LOOP;
            IF p_commit IS NOT NULL THEN
                INSERT INTO {s}.commit_ids (id, versions, expires_at) VALUES (p_commit, result, now() + p_retention);
            END IF;
            RETURN result;
        END $f$;
        """;
}
