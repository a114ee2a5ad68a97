using Npgsql;
using TypedState.Postgres;

namespace TypedState.Tests.Postgres;

/// <summary>What only the PostgreSQL driver has: its schema, created and versioned on first use, and its options.</summary>
public sealed class PostgresSchemaTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task The_schema_is_created_on_first_use_at_the_current_version_with_code_point_ordered_keys()
    {
        var schema = _schemas.New("created");
        await using var state = new PostgresStateManager(_server.ConnectionString, schema);
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'"));

        await state.SetAsync(StateOwner.Global, "k", 1);

        Assert.Equal(
            "lock_owners,locks,records,schema_version",
            await _server.ScalarAsync($"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{schema}'"));
        Assert.Equal(1, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal("bytea", await _server.ScalarAsync(ColumnQuery(schema, "records", "value", "data_type")));
        foreach (var column in new[] { "guild_id", "agent_id", "key" })
        {
            Assert.Equal("C", await _server.ScalarAsync(ColumnQuery(schema, "records", column, "collation_name")));
        }

        Assert.Equal("C", await _server.ScalarAsync(ColumnQuery(schema, "locks", "resource", "collation_name")));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM \"{schema}\".records WHERE key = 'k' AND version = 1"));
    }

    [Fact]
    public async Task A_schema_newer_than_the_driver_is_refused_and_the_database_is_left_unchanged()
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
            Assert.Contains("schema version 99", read.Message, StringComparison.Ordinal);
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
            Assert.Equal((drivers, (long)drivers), (counter.Value, counter.Version));
            Assert.Equal((long)drivers, await CountAsync($"SELECT count(*) FROM \"{schema}\".records WHERE key LIKE 'from-%'"));
            Assert.Equal(1, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
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
    public async Task A_schema_created_for_other_value_storage_is_refused_and_left_unchanged()
    {
        var schema = _schemas.New("storage");
        await using (var state = new PostgresStateManager(_server.ConnectionString, schema))
        {
            await state.SetAsync(StateOwner.Global, "kept", 1);
        }

        var options = new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema, ValueStorage = PostgresValueStorage.Jsonb };
        await using (var state = new PostgresStateManager(options))
        {
            var error = await Assert.ThrowsAsync<StateException>(async () => await state.GetAsync<int>(StateOwner.Global, "kept"));
            Assert.Contains("bytea", error.Message, StringComparison.Ordinal);
            Assert.Contains("Jsonb", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal("bytea", await _server.ScalarAsync(ColumnQuery(schema, "records", "value", "data_type")));
        await using (var state = new PostgresStateManager(_server.ConnectionString, schema))
        {
            Assert.Equal(1, (await state.GetAsync<int>(StateOwner.Global, "kept")).Value);
        }
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

    private static string ColumnQuery(string schema, string table, string column, string property) =>
        $"SELECT {property} FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = '{table}' AND column_name = '{column}'";

    /// <summary>The schema's tables and columns with their types, to compare before and after.</summary>
    private async Task<string?> CatalogAsync(string schema) =>
        (string?)await _server.ScalarAsync(
            "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name) " +
            $"FROM information_schema.columns WHERE table_schema = '{schema}'");

    private async Task<long> CountAsync(string sql) => (long)(await _server.ScalarAsync(sql))!;
}
