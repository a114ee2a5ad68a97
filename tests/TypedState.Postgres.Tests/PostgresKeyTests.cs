using System.Text.Json;
using TypedState.Postgres;
using TypedState.Storage;
using static TypedState.Tests.Fixtures.StateListings;

namespace TypedState.Tests.Postgres;

/// <summary>
/// Keys, prefixes and ids made of SQL's special characters are data, never SQL: every statement is parameterized
/// and prefixes are key ranges, so quotes, LIKE wildcards, backslashes and comment markers are stored, found and
/// listed literally. (Control characters such as newlines are refused in keys by the core, for every driver; they
/// are stored in values.)
/// </summary>
public sealed class PostgresKeyTests : IAsyncLifetime
{
    /// <summary>Keys that would break or change a statement built by concatenation, or a LIKE pattern.</summary>
    private static readonly string[] s_hostileKeys =
    [
        "'",
        "''",
        "\"",
        "\\",
        "\\'",
        "%",
        "_",
        "%_%",
        "a%b",
        "a_c",
        "abc",
        "a\\%",
        ";",
        "'; DROP TABLE records; --",
        "\"; DROP SCHEMA public CASCADE; --",
        "' OR '1'='1",
        "/* comment */",
        "-- comment",
        "$1",
        "@key",
        ":key",
        "?",
        "E'\\x00'",
        "$$dollar$$",
        "key with spaces",
        "é",
        "e\u0301",
        "日本",
        "🙂",
        "\uFFFD",
        "\U0010FFFF",
    ];

    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Hostile_keys_round_trip_and_list_literally_in_code_point_order_across_pages()
    {
        var schema = _schemas.New("keys");
        await using var state = Manager(schema, pageSize: 3);
        var owner = StateOwner.Agent("g", "a");
        for (var i = 0; i < s_hostileKeys.Length; i++)
        {
            Assert.Equal(1, await state.SetAsync(owner, s_hostileKeys[i], i));
        }

        for (var i = 0; i < s_hostileKeys.Length; i++)
        {
            var entry = await state.GetAsync<int>(owner, s_hostileKeys[i]);
            Assert.True(entry.Exists, $"key {s_hostileKeys[i]} should exist");
            Assert.Equal(i, entry.Value);
        }

        Assert.Equal(s_hostileKeys.Order(StateKeyOrder.Comparer), await KeysAsync(state, owner, string.Empty));
        Assert.Equal((long)s_hostileKeys.Length, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records"));
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("a%")]
    [InlineData("a_")]
    [InlineData("a")]
    [InlineData("\\")]
    [InlineData("'")]
    [InlineData("''")]
    [InlineData("\"")]
    [InlineData("'; DROP")]
    [InlineData("$")]
    [InlineData("e")]
    [InlineData("🙂")]
    [InlineData("\U0010FFFF")]
    [InlineData("zzz-no-match")]
    public async Task A_prefix_of_special_characters_matches_exactly_the_keys_that_start_with_it(string prefix)
    {
        await using var state = Manager(_schemas.New("prefix"), pageSize: 2);
        var owner = StateOwner.Guild("g");
        foreach (var key in s_hostileKeys)
        {
            await state.SetAsync(owner, key, key);
        }

        var expected = s_hostileKeys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StateKeyOrder.Comparer).ToList();

        Assert.Equal(expected, await KeysAsync(state, owner, prefix));
        await using var transaction = await state.BeginTransactionAsync();
        var inTransaction = new List<string>();
        await foreach (var entry in transaction.ListAsync<string>(owner, prefix))
        {
            Assert.Equal(entry.Key, entry.Value);
            inTransaction.Add(entry.Key);
        }

        Assert.Equal(expected, inTransaction);
    }

    [Fact]
    public async Task Hostile_guild_and_agent_ids_address_their_own_records_and_removal_touches_nothing_else()
    {
        await using var state = Manager(_schemas.New("ids"), pageSize: 256);
        var injected = StateOwner.Agent("g'; DELETE FROM records; --", "a\" OR 1=1");
        var wildcardGuild = StateOwner.Guild("g%");
        var wildcardAgent = StateOwner.Agent("g%", "_");
        var plainGuild = StateOwner.Guild("gx");
        var plainAgent = StateOwner.Agent("gx", "a");
        var backslash = StateOwner.Agent("g\\", "a\\_");
        StateOwner[] owners = [injected, wildcardGuild, wildcardAgent, plainGuild, plainAgent, backslash];
        foreach (var owner in owners)
        {
            await state.SetAsync(owner, "who", owner.ToString());
        }

        foreach (var owner in owners)
        {
            Assert.Equal(owner.ToString(), (await state.GetAsync<string>(owner, "who")).Value);
        }

        // "g%" and "_" are names, not patterns: removing them leaves "gx" and its agent alone.
        await state.RemoveAgentAsync("g%", "_");
        Assert.False((await state.GetAsync<string>(wildcardAgent, "who")).Exists);
        Assert.True((await state.GetAsync<string>(plainAgent, "who")).Exists);
        await state.RemoveGuildAsync("g%");
        Assert.False((await state.GetAsync<string>(wildcardGuild, "who")).Exists);
        Assert.True((await state.GetAsync<string>(plainGuild, "who")).Exists);
        Assert.True((await state.GetAsync<string>(plainAgent, "who")).Exists);

        await state.RemoveGuildAsync("g'; DELETE FROM records; --");
        Assert.False((await state.GetAsync<string>(injected, "who")).Exists);
        Assert.True((await state.GetAsync<string>(backslash, "who")).Exists);
        Assert.Equal(["who"], await KeysAsync(state, plainAgent, "w"));
    }

    [Fact]
    public async Task Values_with_newlines_quotes_and_sql_round_trip_exactly()
    {
        await using var state = Manager(_schemas.New("values"), pageSize: 256);
        var owner = StateOwner.Global;
        string[] values =
        [
            "line one\nline two\r\n\ttabbed",
            "'); DROP TABLE records; --",
            "\\x00 \\\\ \\' %_%",
            "{\"looks\": \"like json\"}",
            "$$ $1 @value :value ?",
        ];

        for (var i = 0; i < values.Length; i++)
        {
            await state.SetAsync(owner, $"v{i}", values[i]);
        }

        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], (await state.GetAsync<string>(owner, $"v{i}")).Value);
            var record = await state.GetRecordAsync(owner, $"v{i}");
            StoredDocuments.AssertSame(JsonSerializer.SerializeToUtf8Bytes(values[i], state.SerializerOptions), record!.Value.Value);
        }
    }

    private PostgresStateManager Manager(string schema, int pageSize) =>
        new(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema, ListPageSize = pageSize });
}
