using System.Text;
using Npgsql;
using TypedState.Postgres;
using TypedState.Storage;
using TypedState.Tests.Conformance;

namespace TypedState.Tests.Postgres;

/// <summary>
/// <see cref="PostgresValueStorage.Jsonb"/>: values the server parses, queries and indexes; bytes that are not JSON
/// are refused by the server and change nothing. (The conformance suite runs on the default, byte-exact storage:
/// jsonb cannot pass its tests that store arbitrary bytes or strings with U+0000.)
/// </summary>
public sealed class PostgresJsonbStorageTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;
    private string _schema = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.GetSharedAsync();
        _schema = _schemas.New("jsonb");
    }

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Typed_values_round_trip_and_are_queryable_as_jsonb_in_SQL()
    {
        await using var state = CreateManager();
        var owner = StateOwner.Agent("g", "a");
        var profile = TestValues.SampleProfile();
        await state.SetAsync(owner, "profile", profile);
        await state.SetAsync(owner, "counter", new Counter(7));
        await state.SetAsync(owner, "text", "quotes \" ' \\ and 日本 🙂\nnewline");

        TestValues.AssertSameProfile(profile, (await state.GetAsync<Profile>(owner, "profile")).Value);
        Assert.Equal(new Counter(7), (await state.GetAsync<Counter>(owner, "counter")).Value);
        Assert.Equal("quotes \" ' \\ and 日本 🙂\nnewline", (await state.GetAsync<string>(owner, "text")).Value);
        Assert.Equal("7", await _server.ScalarAsync($"SELECT value ->> 'count' FROM \"{_schema}\".records WHERE key = 'counter'"));
        Assert.Equal("London", await _server.ScalarAsync($"SELECT value #>> '{{home,city}}' FROM \"{_schema}\".records WHERE key = 'profile'"));
        Assert.Equal(
            ["counter", "profile", "text"],
            await state.ListAsync<System.Text.Json.JsonElement>(owner, string.Empty).Select(e => e.Key).ToListAsync());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"count\": 1")]
    [InlineData("{\"count\":1} trailing")]
    [InlineData("")]
    public async Task Bytes_that_are_not_JSON_are_refused_by_the_server_and_change_nothing(string payload)
    {
        await using var state = CreateManager();
        var owner = StateOwner.Guild("g");
        await state.SetAsync(owner, "bad", new Counter(1));
        var driver = state.Driver;

        var single = await Assert.ThrowsAsync<PostgresException>(async () =>
            await driver.CommitAsync([Set(owner, "bad", Encoding.UTF8.GetBytes(payload))], [], CancellationToken.None));
        var batch = await Assert.ThrowsAsync<PostgresException>(async () => await driver.CommitAsync(
            [Set(owner, "first", "1"u8.ToArray()), Set(owner, "bad", Encoding.UTF8.GetBytes(payload)), Set(owner, "last", "2"u8.ToArray())],
            [],
            CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.InvalidTextRepresentation, single.SqlState);
        Assert.Equal(PostgresErrorCodes.InvalidTextRepresentation, batch.SqlState);
        var bad = await state.GetAsync<Counter>(owner, "bad");
        Assert.Equal((new Counter(1), 1L), (bad.Value, bad.Version));
        Assert.False((await state.GetAsync<int>(owner, "first")).Exists);
        Assert.False((await state.GetAsync<int>(owner, "last")).Exists);
    }

    [Fact]
    public async Task Bytes_that_are_not_UTF8_are_refused_by_the_server()
    {
        await using var state = CreateManager();
        var error = await Assert.ThrowsAsync<PostgresException>(async () =>
            await state.Driver.CommitAsync([Set(StateOwner.Global, "bytes", [(byte)'"', 0xFF, 0xFE, (byte)'"'])], [], CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, error.SqlState);
        Assert.Null(await state.GetRecordAsync(StateOwner.Global, "bytes"));
    }

    [Fact]
    public async Task A_string_with_U0000_cannot_be_stored_as_jsonb_and_the_manager_reports_a_driver_error_naming_the_record()
    {
        await using var state = CreateManager();
        var owner = StateOwner.Agent("g", "a");
        await state.SetAsync(owner, "nul", "before");

        var error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(owner, "nul", "a\u0000b"));

        Assert.Equal("nul", error.Key);
        Assert.IsType<PostgresException>(error.InnerException);
        var kept = await state.GetAsync<string>(owner, "nul");
        Assert.Equal(("before", 1L), (kept.Value, kept.Version));
    }

    [Fact]
    public async Task Stored_bytes_are_the_servers_rendering_of_the_JSON()
    {
        await using var state = CreateManager();
        await state.SetAsync(StateOwner.Global, "c", new Counter(3));

        var record = await state.GetRecordAsync(StateOwner.Global, "c");

        Assert.Equal("{\"count\": 3}", Encoding.UTF8.GetString(record!.Value.Value.Span));
    }

    private PostgresStateManager CreateManager() => new(new PostgresStateDriverOptions
    {
        ConnectionString = _server.ConnectionString,
        Schema = _schema,
        ValueStorage = PostgresValueStorage.Jsonb,
        ListPageSize = 2,
    });

    private static StateWrite Set(StateOwner owner, string key, byte[] value) => new(owner, key, StateWriteKind.Set, value, null);
}
