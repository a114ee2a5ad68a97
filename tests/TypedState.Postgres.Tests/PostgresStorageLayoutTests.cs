using System.Text.Json;
using Npgsql;
using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>What only the PostgreSQL driver has: its schema, created on first use with a storage layout it versions and upgrades, and its options.</summary>
public sealed class PostgresStorageLayoutTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task The_schema_is_created_on_first_use_at_the_current_storage_layout_version_with_code_point_ordered_keys()
    {
        var schema = _schemas.New("created");
        await using var state = new PostgresStateManager(_server.ConnectionString, schema);
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'"));

        await state.SetAsync(StateOwner.Global, "k", 1);

        Assert.Equal(
            "commit_ids,guild_floors,lock_owners,locks,records,schema_version,timeline_entries,timeline_pins,timeline_snapshots,timelines",
            await _server.ScalarAsync($"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{schema}'"));
        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal("jsonb", await _server.ScalarAsync(ColumnQuery(schema, "records", "value", "data_type")));
        Assert.Equal("bytea", await _server.ScalarAsync(ColumnQuery(schema, "records", "value_bytes", "data_type")));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM pg_constraint WHERE conrelid = '\"{schema}\".records'::regclass AND conname = 'records_one_value'"));
        foreach (var column in new[] { "guild_id", "agent_id", "key" })
        {
            Assert.Equal("C", await _server.ScalarAsync(ColumnQuery(schema, "records", column, "collation_name")));
        }

        Assert.Equal("C", await _server.ScalarAsync(ColumnQuery(schema, "locks", "resource", "collation_name")));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM \"{schema}\".records WHERE key = 'k' AND version = 1"));
    }

    [Fact]
    public async Task A_storage_layout_newer_than_the_driver_is_refused_and_the_database_is_left_unchanged()
    {
        var schema = _schemas.New("newer");
        await using (var state = new PostgresStateManager(_server.ConnectionString, schema))
        {
            await state.SetAsync(StateOwner.Guild("g"), "kept", "value");
        }

        await _server.ExecuteAsync($"UPDATE \"{schema}\".schema_version SET version = 99");
        var catalog = await CatalogAsync(schema);

        await using (var state = new PostgresStateManager(_server.ConnectionString, schema))
        {
            var read = await Assert.ThrowsAsync<StateException>(async () => await state.GetAsync<string>(StateOwner.Guild("g"), "kept"));
            Assert.Contains("storage layout version 99", read.Message, StringComparison.Ordinal);
            Assert.Contains("newer", read.Message, StringComparison.Ordinal);
            Assert.Contains(schema, read.Message, StringComparison.Ordinal);

            // Every operation is refused the same way, writes included.
            await Assert.ThrowsAsync<StateException>(async () => await state.SetAsync(StateOwner.Guild("g"), "kept", "changed"));
            await Assert.ThrowsAsync<StateException>(async () => await state.TryAcquireLockAsync(StateOwner.Guild("g"), "kept", TimeSpan.FromSeconds(5)));
        }

        Assert.Equal(99, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal(catalog, await CatalogAsync(schema));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM \"{schema}\".records WHERE key = 'kept' AND version = 1"));
    }

    [Fact]
    public async Task Concurrent_first_use_from_several_drivers_creates_the_schema_once_and_every_write_lands()
    {
        const int drivers = 8;
        var schema = _schemas.New("concurrent");
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Separate connection pools, as separate processes would have.
        var managers = Enumerable.Range(0, drivers)
            .Select(i => new PostgresStateManager(_server.ConnectionStringWith($"ts-first-use-{i}"), schema))
            .ToList();
        try
        {
            var workers = managers.Select((state, i) => Task.Run(async () =>
            {
                await start.Task;
                await state.SetAsync(StateOwner.Global, $"from-{i}", i);
                await state.UpdateAsync<int>(StateOwner.Global, "counter", v => v + 1, maxAttempts: int.MaxValue);
            })).ToList();
            start.SetResult();
            await Task.WhenAll(workers);

            var counter = await managers[0].GetAsync<int>(StateOwner.Global, "counter");
            Assert.Equal((drivers, drivers), (counter.Value, counter.Version));
            Assert.Equal(drivers, await CountAsync($"SELECT count(*) FROM \"{schema}\".records WHERE key LIKE 'from-%'"));
            Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        }
        finally
        {
            foreach (var state in managers)
            {
                await state.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_layout_version_1_schema_with_bytea_values_is_upgraded_in_place_and_keeps_every_row_byte_for_byte()
    {
        var schema = _schemas.New("v1_bytea");
        await CreateLayoutVersion1SchemaAsync(schema, "bytea");
        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".records VALUES
                (2, 'g', '', 'counter', convert_to('{"count":1}', 'UTF8'), 5),
                (2, 'g', '', 'nul', convert_to('"a\u0000b"', 'UTF8'), 1),
                (2, 'g', '', 'corrupt', '\xff7b'::bytea, 2),
                (2, 'g', '', 'deleted', NULL, 3),
                (2, 'g', '', 'placeholder', NULL, 0),
                (1, 'g', 'a', 'agent', convert_to('"x"', 'UTF8'), 1);
            INSERT INTO "{{schema}}".locks VALUES (2, 'g', '', 'counter', 7, '-infinity');
            INSERT INTO "{{schema}}".lock_owners VALUES (2, 'g', '', 7);
            """);
        var guild = StateOwner.Guild("g");

        await using var state = new PostgresStateManager(_server.ConnectionString, schema);

        // Every row reads back as the layout version 1 driver wrote it, with its version; tombstones stay tombstones.
        Assert.Equal("{\"count\":1}"u8.ToArray(), (await state.GetRecordAsync(guild, "counter"))!.Value.Value.ToArray());
        Assert.Equal(5, (await state.GetAsync<Counter>(guild, "counter")).Version);
        Assert.Equal("a\u0000b", (await state.GetAsync<string>(guild, "nul")).Value);
        Assert.Equal(new byte[] { 0xFF, 0x7B }, (await state.GetRecordAsync(guild, "corrupt"))!.Value.Value.ToArray());
        await Assert.ThrowsAsync<CorruptStateException>(async () => await state.GetAsync<Counter>(guild, "corrupt"));
        Assert.Equal(["corrupt", "counter", "nul"], await state.ListAsync<JsonElement>(guild, string.Empty).Select(e => e.Key).ToListAsync());
        Assert.Equal("x", (await state.GetAsync<string>(StateOwner.Agent("g", "a"), "agent")).Value);
        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal(
            "records.agent_id:text,records.guild_id:text,records.key:text,records.scope:smallint,records.value:jsonb,records.value_bytes:bytea,records.version:bigint",
            await RecordsCatalogAsync(schema));
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM \"{schema}\".records WHERE value IS NOT NULL"));

        // Versions and fencing tokens continue; a rewritten value moves to jsonb.
        Assert.Equal(4, await state.SetAsync(guild, "deleted", "back", expectedVersion: 0));
        Assert.Equal(1, await state.SetAsync(guild, "placeholder", "new", expectedVersion: 0));
        Assert.Equal(6, await state.SetAsync(guild, "counter", new Counter(2), expectedVersion: 5));
        Assert.Equal(2, await _server.ScalarAsync($"SELECT (value ->> 'count')::int FROM \"{schema}\".records WHERE key = 'counter' AND value_bytes IS NULL"));
        await using (var held = await state.TryAcquireLockAsync(guild, "counter", TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(8, held!.FencingToken);
        }
    }

    [Fact]
    public async Task A_layout_version_1_schema_with_jsonb_values_is_upgraded_in_place_and_keeps_its_rows_as_jsonb()
    {
        var schema = _schemas.New("v1_jsonb");
        await CreateLayoutVersion1SchemaAsync(schema, "jsonb");
        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".records VALUES
                (3, '', '', 'counter', '{"count": 1}', 2),
                (3, '', '', 'deleted', NULL, 3);
            """);

        await using var state = new PostgresStateManager(_server.ConnectionString, schema);

        Assert.Equal((new Counter(1), 2L), await ValueAndVersionAsync<Counter>(state, StateOwner.Global, "counter"));
        Assert.False((await state.GetAsync<string>(StateOwner.Global, "deleted")).Exists);
        Assert.Equal(4, await state.SetAsync(StateOwner.Global, "deleted", "a\u0000b"));
        Assert.Equal(
            "records.agent_id:text,records.guild_id:text,records.key:text,records.scope:smallint,records.value:jsonb,records.value_bytes:bytea,records.version:bigint",
            await RecordsCatalogAsync(schema));
        Assert.Equal("counter:jsonb,deleted:bytes", await _server.ScalarAsync(
            $"SELECT string_agg(key || ':' || CASE WHEN value IS NOT NULL THEN 'jsonb' ELSE 'bytes' END, ',' ORDER BY key) FROM \"{schema}\".records"));
        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
    }

    [Fact]
    public async Task Concurrent_first_use_of_a_layout_version_1_schema_from_several_drivers_upgrades_it_once()
    {
        const int drivers = 6;
        var schema = _schemas.New("v1_concurrent");
        await CreateLayoutVersion1SchemaAsync(schema, "bytea");
        await _server.ExecuteAsync($"""INSERT INTO "{schema}".records VALUES (3, '', '', 'counter', convert_to('10', 'UTF8'), 10)""");
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var managers = Enumerable.Range(0, drivers)
            .Select(i => new PostgresStateManager(_server.ConnectionStringWith($"ts-upgrade-{i}"), schema))
            .ToList();
        try
        {
            var workers = managers.Select(state => Task.Run(async () =>
            {
                await start.Task;
                await state.UpdateAsync<int>(StateOwner.Global, "counter", v => v + 1, maxAttempts: int.MaxValue);
            })).ToList();
            start.SetResult();
            await Task.WhenAll(workers);

            Assert.Equal((10 + drivers, 10L + drivers), await ValueAndVersionAsync<int>(managers[0], StateOwner.Global, "counter"));
            Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
            Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM pg_constraint WHERE conrelid = '\"{schema}\".records'::regclass AND conname = 'records_one_value'"));
        }
        finally
        {
            foreach (var state in managers)
            {
                await state.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Drivers_with_either_value_storage_share_a_schema()
    {
        var schema = _schemas.New("storage");
        var bytea = new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema, ValueStorage = PostgresValueStorage.Bytea };
        await using (var state = new PostgresStateManager(bytea))
        {
            await state.SetAsync(StateOwner.Global, "from-bytea", 1);
        }

        await using (var state = new PostgresStateManager(_server.ConnectionString, schema))
        {
            Assert.Equal(1, (await state.GetAsync<int>(StateOwner.Global, "from-bytea")).Value);
            await state.SetAsync(StateOwner.Global, "from-jsonb", 2);
        }

        await using (var state = new PostgresStateManager(bytea))
        {
            Assert.Equal(2, (await state.GetAsync<int>(StateOwner.Global, "from-jsonb")).Value);
        }

        Assert.Equal("from-bytea:bytes,from-jsonb:jsonb", await _server.ScalarAsync(
            $"SELECT string_agg(key || ':' || CASE WHEN value IS NOT NULL THEN 'jsonb' ELSE 'bytes' END, ',' ORDER BY key) FROM \"{schema}\".records"));
    }

    [Fact]
    public async Task A_mixed_case_schema_name_is_kept_as_written_and_schemas_are_independent()
    {
        var mixed = _schemas.Track("Ts_Mixed_" + Guid.NewGuid().ToString("N")[..8]);
        var lower = _schemas.Track(mixed.ToLowerInvariant());
        await using var upperState = new PostgresStateManager(_server.ConnectionString, mixed);
        await using var lowerState = new PostgresStateManager(_server.ConnectionString, lower);

        await upperState.SetAsync(StateOwner.Global, "k", "upper");
        await lowerState.SetAsync(StateOwner.Global, "k", "lower");

        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{mixed}'"));
        Assert.Equal("upper", (await upperState.GetAsync<string>(StateOwner.Global, "k")).Value);
        Assert.Equal("lower", (await lowerState.GetAsync<string>(StateOwner.Global, "k")).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1starts_with_a_digit")]
    [InlineData("has-dash")]
    [InlineData("has space")]
    [InlineData("quote\"inside")]
    [InlineData("semi;colon")]
    [InlineData("x\"; DROP SCHEMA public CASCADE; --")]
    [InlineData("pg_catalog")]
    [InlineData("PG_mine")]
    [InlineData("newline\n")]
    [InlineData("é")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Invalid_schema_names_are_refused_when_the_driver_is_built(string schema)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema }));

        Assert.Contains("schema", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_")]
    [InlineData("A1")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public async Task Plain_identifiers_up_to_63_characters_are_accepted(string schema)
    {
        await using var driver = new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema });

        Assert.Equal(schema, driver.Schema);
    }

    [Fact]
    public void Record_statements_number_their_parameters_in_the_order_the_driver_adds_them()
    {
        Assert.Equal("a = $2 AND b = $1 AND c = $2", PostgresSql.Positional("a = @value AND b = @key AND c = @value", PostgresSql.RecordParameters));
        Assert.Equal("x = $1, y = $2", PostgresSql.Positional("x = @value, y = @value_bytes", PostgresSql.RecordParameters));
        Assert.Throws<InvalidOperationException>(() => PostgresSql.Positional("x = @other", PostgresSql.RecordParameters));

        var sql = new PostgresSql("s", PostgresValueStorage.Jsonb);
        foreach (var statement in new[] { sql.Read, sql.SetAny, sql.SetIfAbsent, sql.SetIfVersion, sql.DeleteAny, sql.DeleteIfVersion, sql.LiveVersion, sql.LockedLiveVersion, sql.ListFirstBounded, sql.ListNextUnbounded })
        {
            Assert.DoesNotContain("@", statement, StringComparison.Ordinal);
            Assert.True(
                statement.Contains("scope = $1 AND guild_id = $2 AND agent_id = $3", StringComparison.Ordinal)
                || statement.Contains("VALUES ($1, $2, $3, $4, ", StringComparison.Ordinal),
                statement);
        }

        Assert.Contains("version = $5", sql.DeleteIfVersion, StringComparison.Ordinal);
        Assert.Contains("version = $7", sql.SetIfVersion, StringComparison.Ordinal);
        Assert.Contains("LIMIT $6", sql.ListFirstBounded, StringComparison.Ordinal);
        Assert.Contains("LIMIT $5", sql.ListFirstUnbounded, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_outside_their_bounds_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PostgresStateDriver(new PostgresStateDriverOptions()));
        Assert.Throws<ArgumentException>(() => new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, DataSource = _server.DataSource }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, ListPageSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, ValueStorage = (PostgresValueStorage)7 }));
        Assert.Throws<ArgumentNullException>(() => new PostgresStateDriver((PostgresStateDriverOptions)null!));
    }

    [Fact]
    public async Task A_data_source_passed_in_is_left_open_and_one_built_from_a_connection_string_is_disposed()
    {
        var schema = _schemas.New("ownership");
        await using var dataSource = NpgsqlDataSource.Create(_server.ConnectionString);
        var borrowing = new PostgresStateDriver(new PostgresStateDriverOptions { DataSource = dataSource, Schema = schema });
        await using (var state = new StateManager(borrowing, ownsDriver: true))
        {
            await state.SetAsync(StateOwner.Global, "k", 1);
        }

        await using (var command = dataSource.CreateCommand($"SELECT version FROM \"{schema}\".records WHERE key = 'k'"))
        {
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }

        var owning = new PostgresStateDriver(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema });
        await using (var state = new StateManager(owning, ownsDriver: true))
        {
            Assert.Equal(1, (await state.GetAsync<int>(StateOwner.Global, "k")).Value);
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await owning.ReadAsync(StateOwner.Global, "k", CancellationToken.None));
    }

    /// <summary>The tables of storage layout version 1 as that version created them, at version 1, with its value column type.</summary>
    private Task CreateLayoutVersion1SchemaAsync(string schema, string valueType) => _server.ExecuteAsync($$"""
        CREATE SCHEMA "{{schema}}";
        CREATE TABLE "{{schema}}".schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL);
        INSERT INTO "{{schema}}".schema_version (id, version) VALUES (1, 1);
        CREATE TABLE "{{schema}}".records (
            scope    smallint    NOT NULL,
            guild_id text COLLATE "C" NOT NULL,
            agent_id text COLLATE "C" NOT NULL,
            key      text COLLATE "C" NOT NULL,
            value    {{valueType}},
            version  bigint      NOT NULL,
            PRIMARY KEY (scope, guild_id, agent_id, key)
        );
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

    private static async Task<(T? Value, long Version)> ValueAndVersionAsync<T>(IStateManager state, StateOwner owner, string key)
    {
        var entry = await state.GetAsync<T>(owner, key);
        return (entry.Value, entry.Version);
    }

    private async Task<string?> RecordsCatalogAsync(string schema) =>
        (string?)await _server.ScalarAsync(
            "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY column_name) " +
            $"FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = 'records'");

    private static string ColumnQuery(string schema, string table, string column, string property) =>
        $"SELECT {property} FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = '{table}' AND column_name = '{column}'";

    /// <summary>The schema's tables and columns with their types, to compare before and after.</summary>
    private async Task<string?> CatalogAsync(string schema) =>
        (string?)await _server.ScalarAsync(
            "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name) " +
            $"FROM information_schema.columns WHERE table_schema = '{schema}'");

    private async Task<long> CountAsync(string sql) => (long)(await _server.ScalarAsync(sql))!;
}
