using System.Text;
using System.Text.Json;
using Npgsql;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// Where the PostgreSQL driver keeps values: in the <c>value jsonb</c> column when PostgreSQL can hold the document
/// (the default <see cref="PostgresValueStorage.Jsonb"/>), queryable in SQL, and otherwise byte for byte in the
/// <c>value_bytes bytea</c> fallback; with <see cref="PostgresValueStorage.Bytea"/>, always in the fallback. (The
/// conformance suite runs on the default and checks that every value comes back.)
/// </summary>
public sealed class PostgresValueStorageTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;
    private string _schema = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.GetSharedAsync();
        _schema = _schemas.New("values");
    }

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Values_are_stored_as_jsonb_by_default_and_queryable_in_SQL()
    {
        await using var state = new PostgresStateManager(_server.ConnectionString, _schema);
        var owner = StateOwner.Agent("g", "a");
        var profile = TestValues.SampleProfile();
        await state.SetAsync(owner, "profile", profile);
        await state.SetAsync(owner, "counter", new Counter(7));
        await state.SetAsync(owner, "text", "quotes \" ' \\ and 日本 🙂\nnewline");

        Assert.Equal(PostgresValueStorage.Jsonb, ((PostgresStateDriver)state.Driver).ValueStorage);
        TestValues.AssertSameProfile(profile, (await state.GetAsync<Profile>(owner, "profile")).Value);
        Assert.Equal(new Counter(7), (await state.GetAsync<Counter>(owner, "counter")).Value);
        Assert.Equal("quotes \" ' \\ and 日本 🙂\nnewline", (await state.GetAsync<string>(owner, "text")).Value);
        Assert.Equal(profile.Name, await ScalarAsync("SELECT value ->> 'name' FROM {records} WHERE key = 'profile'"));
        Assert.Equal("London", await ScalarAsync("SELECT value #>> '{home,city}' FROM {records} WHERE key = 'profile'"));
        Assert.Equal(7, await ScalarAsync("SELECT (value ->> 'count')::int FROM {records} WHERE key = 'counter'"));
        Assert.Equal("profile", await ScalarAsync("SELECT key FROM {records} WHERE value @> '{\"tags\": [\"engines\"]}'"));
        Assert.Equal("quotes \" ' \\ and 日本 🙂\nnewline", await ScalarAsync("SELECT value #>> '{}' FROM {records} WHERE key = 'text'"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM {records} WHERE value_bytes IS NOT NULL"));
        Assert.Equal(
            ["counter", "profile", "text"],
            await state.ListAsync<JsonElement>(owner, string.Empty).Select(e => e.Key).ToListAsync());
    }

    [Fact]
    public async Task Stored_bytes_are_the_servers_rendering_of_the_JSON()
    {
        await using var state = CreateManager();
        await state.SetAsync(StateOwner.Global, "c", new Counter(3));

        var record = await state.GetRecordAsync(StateOwner.Global, "c");

        Assert.Equal("{\"count\": 3}", Encoding.UTF8.GetString(record!.Value.Value.Span));
    }

    [Fact]
    public async Task A_string_with_U0000_round_trips_through_the_fallback_column_and_moves_back_to_jsonb_when_overwritten()
    {
        await using var state = CreateManager();
        var owner = StateOwner.Agent("g", "a");
        await state.SetAsync(owner, "nul", "before");

        var written = await state.SetAsync(owner, "nul", "a\u0000b", expectedVersion: 1);

        Assert.Equal(2, written);
        Assert.Equal(("a\u0000b", 2L), await ValueAndVersionAsync(state, owner, "nul"));
        Assert.Equal("\"a\\u0000b\"", await ScalarAsync("SELECT convert_from(value_bytes, 'UTF8') FROM {records} WHERE key = 'nul' AND value IS NULL"));
        Assert.Equal(["a\u0000b"], await state.ListAsync<string>(owner, "n").Select(e => e.Value).ToListAsync());

        await state.SetAsync(owner, "nul", "after", expectedVersion: 2);

        Assert.Equal(("after", 3L), await ValueAndVersionAsync(state, owner, "nul"));
        Assert.Equal("after", await ScalarAsync("SELECT value #>> '{}' FROM {records} WHERE key = 'nul' AND value_bytes IS NULL"));
    }

    public static TheoryData<string, byte[]> NotJson => new()
    {
        { "not JSON", "{not json"u8.ToArray() },
        { "truncated", "{\"count\": 1"u8.ToArray() },
        { "trailing garbage", "{\"count\":1} trailing"u8.ToArray() },
        { "empty", [] },
        { "not UTF-8", [(byte)'"', 0xFF, 0xFE, (byte)'"'] },
        { "a byte order mark", [0xEF, 0xBB, 0xBF, (byte)'1'] },
        { "a raw NUL byte", [(byte)'"', 0, (byte)'"'] },
        { "all byte values", Enumerable.Range(0, 256).Select(b => (byte)b).ToArray() },
    };

    [Theory]
    [MemberData(nameof(NotJson))]
    public async Task Bytes_that_are_not_JSON_round_trip_exactly_through_the_fallback_column(string what, byte[] payload)
    {
        await using var state = CreateManager();
        var owner = StateOwner.Guild("g");
        var driver = state.Driver;

        var single = await driver.CommitAsync([Set(owner, "single", payload)], [], CommitId.None, CancellationToken.None);
        var batch = await driver.CommitAsync(
            [Set(owner, "batch-1", "1"u8.ToArray()), Set(owner, "batch-2", payload), Set(owner, "batch-3", "{\"n\": 3}"u8.ToArray())],
            [],
            CommitId.None,
            CancellationToken.None);

        Assert.True(single.Succeeded && batch.Succeeded, what);
        foreach (var key in new[] { "single", "batch-2" })
        {
            Assert.Equal(payload, (await state.GetRecordAsync(owner, key))!.Value.Value.ToArray());
            Assert.Equal(payload, await ScalarAsync($"SELECT value_bytes FROM {{records}} WHERE key = '{key}' AND value IS NULL"));
        }

        Assert.Equal(payload, (await driver.ListAsync(owner, "batch-2", CancellationToken.None).SingleAsync()).Value.ToArray());
        Assert.Equal(3, await ScalarAsync("SELECT (value ->> 'n')::int FROM {records} WHERE key = 'batch-3'"));
        await Assert.ThrowsAsync<CorruptStateException>(async () => await state.GetAsync<Counter>(owner, "single"));
    }

    [Fact]
    public async Task Polymorphic_documents_round_trip_though_jsonb_moves_their_type_discriminator()
    {
        await using var state = CreateManager();
        var owner = StateOwner.Agent("g", "a");
        Shape[] shapes = [new Circle("c", 1.5), new Square("s", 2)];

        await state.SetAsync<Shape>(owner, "shape", new Circle("round", 0.5));
        await state.SetAsync(owner, "shapes", shapes.ToList());

        // jsonb orders keys by length, then bytes: "name" comes before "$type".
        Assert.StartsWith("{\"name\": \"round\", \"$type\": \"circle\"", (string)(await ScalarAsync("SELECT value::text FROM {records} WHERE key = 'shape'"))!);
        Assert.Equal("square", await ScalarAsync("SELECT value -> 1 ->> '$type' FROM {records} WHERE key = 'shapes'"));
        Assert.Equal(new Circle("round", 0.5), (await state.GetAsync<Shape>(owner, "shape")).Value);
        Assert.Equal(shapes, (await state.GetAsync<List<Shape>>(owner, "shapes")).Value);

        // Without AllowOutOfOrderMetadataProperties, System.Text.Json does not find the discriminator after "name".
        var strict = new JsonSerializerOptions(state.SerializerOptions) { AllowOutOfOrderMetadataProperties = false };
        await using var strictState = new StateManager(state.Driver, new StateManagerOptions { SerializerOptions = strict });
        var error = await Assert.ThrowsAnyAsync<StateException>(async () => await strictState.GetAsync<Shape>(owner, "shape"));
        Assert.Contains("abstract", error.InnerException!.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, bool> Documents => new()
    {
        { "an object", "{\"b\":1,\"a\":[true,false,null]}", true },
        { "a string with escapes", "\"\\u00e9\\n\\/\\\"\\ud83d\\ude00\"", true },
        { "numbers", "[1.50, 1e2, -1E-2, 0, -1, 12345678901234567890123456789]", true },
        { "nesting 64 deep", new string('[', 64) + new string(']', 64), true },
        { "a repeated name in another object", "[{\"a\":1},{\"a\":2}]", true },
        { "a NUL escape", "\"a\\u0000\"", false },
        { "a NUL escape in a name", "{\"\\u0000\":1}", false },
        { "an unpaired high surrogate escape", "\"\\ud800\"", false },
        { "an unpaired low surrogate escape", "\"\\udc00\"", false },
        { "a high surrogate escape before another escape", "\"\\ud800\\n\"", false },
        { "a repeated name", "{\"a\":1,\"a\":2}", false },
        { "a repeated name, once escaped", "{\"é\":1,\"\\u00e9\":2}", false },
        { "a repeated name among many", "{" + string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"k{i}\":{i}")) + ",\"k0\":0}", false },
        { "many escaped names", "{" + string.Join(",", Enumerable.Range(0, 200).Select(i => $"\"\\u00e9{i}\":{i}")) + "}", true },
        { "many escaped names, one repeated unescaped", "{" + string.Join(",", Enumerable.Range(0, 200).Select(i => $"\"\\u00e9{i}\":{i}")) + ",\"é7\":7}", false },
        { "large objects nested, the same names in each", "{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"k{i}\":{{" + string.Join(",", Enumerable.Range(0, 40).Select(j => $"\"k{j}\":[{{\"k{i}\":1}}]")) + "}")) + "}", true },
        { "a negative zero", "{\"x\":-0.0}", false },
        { "an exponent beyond 1000", "1e1001", false },
        { "a number of 1001 characters", new string('9', 1001), false },
        { "nesting 65 deep", new string('[', 65) + new string(']', 65), false },
        { "a comment", "/* c */ 1", false },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Documents_go_to_jsonb_exactly_when_it_holds_them_with_the_same_meaning(string what, string document, bool asJsonb)
    {
        await using var state = CreateManager();
        var bytes = Encoding.UTF8.GetBytes(document);

        var result = await state.Driver.CommitAsync([Set(StateOwner.Global, "doc", bytes)], [], CommitId.None, CancellationToken.None);

        Assert.True(result.Succeeded, what);
        Assert.Equal(asJsonb, JsonbDocuments.CanStore(bytes));
        Assert.Equal(asJsonb ? "jsonb" : "bytes", await ScalarAsync("SELECT CASE WHEN value IS NOT NULL THEN 'jsonb' ELSE 'bytes' END FROM {records} WHERE key = 'doc'"));
        var stored = (await state.GetRecordAsync(StateOwner.Global, "doc"))!.Value.Value;
        if (asJsonb)
        {
            StoredDocuments.AssertSame(bytes, stored);
        }
        else
        {
            Assert.Equal(bytes, stored.ToArray());
        }
    }

    [Fact]
    public async Task Random_documents_are_written_to_jsonb_only_when_they_come_back_as_the_same_document()
    {
        await using var state = CreateManager();
        var random = new Random(20240601);
        var documents = Enumerable.Range(0, 400).Select(_ => RandomDocument(random)).ToList();
        var owner = StateOwner.Guild("g");

        for (var first = 0; first < documents.Count; first += 50)
        {
            var batch = documents.Skip(first).Take(50).Select((d, i) => Set(owner, $"doc-{first + i:D3}", Encoding.UTF8.GetBytes(d))).ToList();
            Assert.True((await state.Driver.CommitAsync(batch, [], CommitId.None, CancellationToken.None)).Succeeded);
        }

        var jsonb = 0;
        await foreach (var record in state.Driver.ListAsync(owner, "doc-", CancellationToken.None))
        {
            var written = Encoding.UTF8.GetBytes(documents[int.Parse(record.Key[4..], System.Globalization.CultureInfo.InvariantCulture)]);
            if (JsonbDocuments.CanStore(written))
            {
                jsonb++;
                StoredDocuments.AssertSame(written, record.Value);
            }
            else
            {
                Assert.Equal(written, record.Value.ToArray());
            }
        }

        Assert.Equal((long)jsonb, await ScalarAsync("SELECT count(*) FROM {records} WHERE value IS NOT NULL"));
        Assert.InRange(jsonb, 100, 300); // both columns are exercised
    }

    [Fact]
    public async Task A_batch_writes_jsonb_and_fallback_values_together_or_not_at_all()
    {
        await using var state = CreateManager();
        var owner = StateOwner.Guild("g");
        await state.SetAsync(owner, "taken", 1);

        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(owner, "json", new Counter(1));
            await tx.SetAsync(owner, "nul", "\u0000");
            await tx.SetAsync(owner, "taken", 2, expectedVersion: 0);
            await Assert.ThrowsAsync<StateConflictException>(async () => await tx.CommitAsync());
        }

        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM {records}"));
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(owner, "json", new Counter(1));
            await tx.SetAsync(owner, "nul", "\u0000");
            await tx.SetAsync(owner, "taken", 2, expectedVersion: 1);
            await tx.CommitAsync();
        }

        Assert.Equal("jsonb,bytes,jsonb", await ScalarAsync(
            "SELECT string_agg(CASE WHEN value IS NOT NULL THEN 'jsonb' ELSE 'bytes' END, ',' ORDER BY key) FROM {records}"));
        Assert.Equal("\u0000", (await state.GetAsync<string>(owner, "nul")).Value);
    }

    [Fact]
    public async Task A_deleted_record_is_a_tombstone_in_both_columns_and_keeps_its_version()
    {
        await using var state = CreateManager();
        var owner = StateOwner.Agent("g", "a");
        await state.SetAsync(owner, "json", new Counter(1));
        await state.SetAsync(owner, "nul", "\u0000");

        Assert.True(await state.DeleteAsync(owner, "json"));
        Assert.True(await state.DeleteAsync(owner, "nul", expectedVersion: 1));

        Assert.Equal(2L, await ScalarAsync("SELECT count(*) FROM {records} WHERE value IS NULL AND value_bytes IS NULL AND version = 2"));
        Assert.False((await state.GetAsync<string>(owner, "nul")).Exists);
        Assert.Empty(await state.ListAsync<JsonElement>(owner, string.Empty).ToListAsync());
        Assert.Equal(3, await state.SetAsync(owner, "nul", "again", expectedVersion: 0));
        Assert.Equal(3, await state.SetAsync(owner, "json", "\u0000", expectedVersion: 0));
    }

    [Fact]
    public async Task The_database_refuses_a_row_with_both_value_columns_set()
    {
        await using var state = CreateManager();
        await state.SetAsync(StateOwner.Global, "k", 1);

        var error = await Assert.ThrowsAsync<PostgresException>(() => _server.ExecuteAsync(Sql("UPDATE {records} SET value_bytes = '\\x31' WHERE key = 'k'")));

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    [Fact]
    public async Task Bytea_storage_writes_every_value_byte_for_byte_and_shares_the_schema_with_jsonb_storage()
    {
        await using var bytea = CreateManager(PostgresValueStorage.Bytea);
        await using var jsonb = CreateManager(PostgresValueStorage.Jsonb);
        var owner = StateOwner.Guild("g");
        var profile = TestValues.SampleProfile();

        await bytea.SetAsync(owner, "exact", profile);
        await jsonb.SetAsync(owner, "queryable", profile);

        var exact = (await bytea.GetRecordAsync(owner, "exact"))!.Value.Value.ToArray();
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(profile, bytea.SerializerOptions), exact);
        Assert.Equal(exact, (await jsonb.GetRecordAsync(owner, "exact"))!.Value.Value.ToArray());
        Assert.Equal(exact, await ScalarAsync("SELECT value_bytes FROM {records} WHERE key = 'exact' AND value IS NULL"));
        Assert.Equal(profile.Name, await ScalarAsync("SELECT convert_from(value_bytes, 'UTF8')::jsonb ->> 'name' FROM {records} WHERE key = 'exact'"));
        Assert.Equal(profile.Name, await ScalarAsync("SELECT value ->> 'name' FROM {records} WHERE key = 'queryable' AND value_bytes IS NULL"));
        TestValues.AssertSameProfile(profile, (await bytea.GetAsync<Profile>(owner, "queryable")).Value);
        TestValues.AssertSameProfile(profile, (await jsonb.GetAsync<Profile>(owner, "exact")).Value);

        // Each driver writes where its setting says, whatever column the record was in.
        await bytea.SetAsync(owner, "queryable", profile, expectedVersion: 1);
        await jsonb.SetAsync(owner, "exact", profile, expectedVersion: 1);
        Assert.Equal("exact:jsonb,queryable:bytes", await ScalarAsync(
            "SELECT string_agg(key || ':' || CASE WHEN value IS NOT NULL THEN 'jsonb' ELSE 'bytes' END, ',' ORDER BY key) FROM {records}"));
    }

    [Fact]
    public async Task On_a_database_not_encoded_in_UTF8_every_value_is_stored_as_exact_bytes()
    {
        if (_server.IsExternal)
        {
            return; // creating a database may not be allowed on a user's own server
        }

        const string database = "typedstate_tests_latin1";
        if (await _server.ScalarAsync($"SELECT 1 FROM pg_database WHERE datname = '{database}'") is null)
        {
            await _server.ExecuteAsync($"CREATE DATABASE {database} TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
        }

        var connectionString = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = database }.ToString();
        await using var state = new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = connectionString, Schema = _schema });
        var profile = TestValues.SampleProfile();

        await state.SetAsync(StateOwner.Global, "profile", profile);

        TestValues.AssertSameProfile(profile, (await state.GetAsync<Profile>(StateOwner.Global, "profile")).Value);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(profile, state.SerializerOptions), (await state.GetRecordAsync(StateOwner.Global, "profile"))!.Value.Value.ToArray());
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(Sql("SELECT value IS NULL AND value_bytes IS NOT NULL FROM {records}"));
        Assert.Equal(true, await command.ExecuteScalarAsync());
        await using var drop = dataSource.CreateCommand($"DROP SCHEMA \"{_schema}\" CASCADE");
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>A JSON document (mostly valid) mixing what jsonb keeps and what it would change or refuse.</summary>
    private static string RandomDocument(Random random)
    {
        var json = new StringBuilder();
        Value(0);
        return random.Next(20) == 0 ? json.ToString()[..^1] : json.ToString(); // now and then truncated

        void Value(int depth)
        {
            Space();
            switch (depth > 3 ? random.Next(3) : random.Next(5))
            {
                case 0:
                    String();
                    break;
                case 1:
                    string[] numbers = ["0", "-0", "-0.0", "1", "-17", "3.14", "1.50", "1e2", "-2.5E-3", "1e999", "1e1001", "12345678901234567890123", "0.1e-400"];
                    json.Append(numbers[random.Next(numbers.Length)]);
                    break;
                case 2:
                    json.Append(new[] { "true", "false", "null" }[random.Next(3)]);
                    break;
                case 3:
                    json.Append('[');
                    for (var i = random.Next(4); i > 0; i--)
                    {
                        Value(depth + 1);
                        json.Append(i > 1 ? "," : string.Empty);
                    }

                    json.Append(']');
                    break;
                default:
                    json.Append('{');
                    for (var i = random.Next(5); i > 0; i--)
                    {
                        Space();
                        String(name: true);
                        Space();
                        json.Append(':');
                        Value(depth + 1);
                        json.Append(i > 1 ? "," : string.Empty);
                    }

                    json.Append('}');
                    break;
            }

            Space();
        }

        void String(bool name = false)
        {
            string[] parts = name
                ? ["a", "b", "é", "\\u00e9", "\\u0061", "$type", "key"]
                : ["x", " ", "日本", "🙂", "\\n", "\\\"", "\\\\", "\\/", "\\u0000", "\\ud83d\\ude00", "\\ud800", "\\udc00", "\\u00e9", "\\u001f"];
            json.Append('"');
            for (var i = random.Next(name ? 2 : 4); i >= 0; i--)
            {
                json.Append(parts[random.Next(name && random.Next(10) > 0 ? 3 : parts.Length)]);
            }

            json.Append('"');
        }

        void Space() => json.Append(new[] { string.Empty, string.Empty, " ", "\n\t" }[random.Next(4)]);
    }

    private static async Task<(string? Value, long Version)> ValueAndVersionAsync(IStateManager state, StateOwner owner, string key)
    {
        var entry = await state.GetAsync<string>(owner, key);
        return (entry.Value, entry.Version);
    }

    private PostgresStateManager CreateManager(PostgresValueStorage storage = PostgresValueStorage.Jsonb) => new(new PostgresStateDriverOptions
    {
        ConnectionString = _server.ConnectionString,
        Schema = _schema,
        ValueStorage = storage,
        ListPageSize = 2,
    });

    private string Sql(string sql) => sql.Replace("{records}", $"\"{_schema}\".records", StringComparison.Ordinal);

    private Task<object?> ScalarAsync(string sql) => _server.ScalarAsync(Sql(sql));

    private static StateWrite Set(StateOwner owner, string key, byte[] value) => new(owner, key, StateWriteKind.Set, value, null);
}
