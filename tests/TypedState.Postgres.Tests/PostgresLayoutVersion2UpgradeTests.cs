using System.Text;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A schema of storage layout version 2, as that driver left it (primary keys on (owner, key), placeholders of keys
/// read as absent), is upgraded in place to the current layout: every record, tombstone and lock token is kept, the
/// placeholders go, and long keys, version floors and commit ids work at once.
/// </summary>
public sealed class PostgresLayoutVersion2UpgradeTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_layout_version_2_schema_is_upgraded_in_place_keeping_records_tombstones_and_tokens_and_dropping_placeholders()
    {
        var schema = _schemas.New("v2");
        await CreateLayoutVersion2SchemaAsync(schema);
        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".records (scope, guild_id, agent_id, key, value, value_bytes, version) VALUES
                (2, 'g', '', 'counter', '{"count": 4}', NULL, 4),
                (2, 'g', '', 'bytes', NULL, '\xff7b', 2),
                (2, 'g', '', 'deleted', NULL, NULL, 3),
                (2, 'g', '', 'placeholder', NULL, NULL, 0),
                (1, 'g', 'a', 'memory', '"x"', NULL, 7),
                (1, 'g', 'a', 'read-absent', NULL, NULL, 0),
                (3, '', '', 'global', '1', NULL, 1);
            INSERT INTO "{{schema}}".locks VALUES (2, 'g', '', 'counter', 7, '-infinity');
            INSERT INTO "{{schema}}".lock_owners VALUES (2, 'g', '', 7);
            """);
        var guild = StateOwner.Guild("g");
        var agent = StateOwner.Agent("g", "a");

        await using var state = new PostgresStateManager(_server.ConnectionString, schema);

        Assert.Equal((4, 4L), ((await state.GetAsync<Counter>(guild, "counter")).Value!.Count, (await state.GetAsync<Counter>(guild, "counter")).Version));
        Assert.Equal(new byte[] { 0xFF, 0x7B }, (await state.GetRecordAsync(guild, "bytes"))!.Value.Value.ToArray());
        Assert.Equal(("x", 7L), ((await state.GetAsync<string>(agent, "memory")).Value, (await state.GetAsync<string>(agent, "memory")).Version));
        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal(0L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records WHERE version = 0"));
        Assert.Equal(
            "locks:locks_resource,records:records_key",
            await _server.ScalarAsync($"SELECT string_agg(tablename || ':' || indexname, ',' ORDER BY tablename) FROM pg_indexes WHERE schemaname = '{schema}' AND tablename IN ('records', 'locks')"));

        // Versions continue from records and tombstones; tokens continue from the owner's counter.
        Assert.Equal(4, await state.SetAsync(guild, "deleted", "back", expectedVersion: 0));
        Assert.Equal(1, await state.SetAsync(guild, "placeholder", "new", expectedVersion: 0));
        await using (var held = await state.TryAcquireLockAsync(guild, "counter", TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(8, held!.FencingToken);
        }

        // What layout version 3 adds works on the upgraded schema: long keys, commit ids, version floors.
        var longKey = string.Concat(Enumerable.Repeat("\U0001F600", 2000));
        await using (var longKeys = new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema }, new StateManagerOptions { MaxKeyLength = 8192 }))
        {
            Assert.Equal(1, await longKeys.SetAsync(agent, longKey, "long"));
        }

        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [new(guild, "counter", StateWriteKind.Set, Encoding.UTF8.GetBytes("{\"count\":5}"), 4)];
        var first = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);
        var repeat = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);
        Assert.Equal([5L], first.Versions);
        Assert.Equal(first.Versions, repeat.Versions);

        await state.RemoveAgentAsync("g", "a");
        Assert.Equal(8, await state.SetAsync(agent, "memory", "after removal"));
    }

    /// <summary>The tables of storage layout version 2 as that version created them (by its two upgrades), at version 2.</summary>
    private Task CreateLayoutVersion2SchemaAsync(string schema) => _server.ExecuteAsync($$"""
        CREATE SCHEMA "{{schema}}";
        CREATE TABLE "{{schema}}".schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL);
        INSERT INTO "{{schema}}".schema_version (id, version) VALUES (1, 2);
        CREATE TABLE "{{schema}}".records (
            scope    smallint    NOT NULL,
            guild_id text COLLATE "C" NOT NULL,
            agent_id text COLLATE "C" NOT NULL,
            key      text COLLATE "C" NOT NULL,
            value    jsonb,
            version  bigint      NOT NULL,
            PRIMARY KEY (scope, guild_id, agent_id, key)
        );
        ALTER TABLE "{{schema}}".records ADD COLUMN value_bytes bytea;
        ALTER TABLE "{{schema}}".records ADD CONSTRAINT records_one_value CHECK (value IS NULL OR value_bytes IS NULL) NOT VALID;
        CREATE TABLE "{{schema}}".locks (
            scope      smallint    NOT NULL,
            guild_id   text COLLATE "C" NOT NULL,
            agent_id   text COLLATE "C" NOT NULL,
            resource   text COLLATE "C" NOT NULL,
            token      bigint      NOT NULL,
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (scope, guild_id, agent_id, resource)
        );
        CREATE TABLE "{{schema}}".lock_owners (
            scope      smallint NOT NULL,
            guild_id   text COLLATE "C" NOT NULL,
            agent_id   text COLLATE "C" NOT NULL,
            last_token bigint   NOT NULL,
            PRIMARY KEY (scope, guild_id, agent_id)
        )
        """);
}
