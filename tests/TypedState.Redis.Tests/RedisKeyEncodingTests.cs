using System.Text;
using TypedState.Storage;
using static TypedState.Tests.Fixtures.StateListings;

namespace TypedState.Tests.Redis;

/// <summary>
/// What the conformance suite does not reach for Redis in particular: the characters Redis itself reads
/// specially — glob patterns (<c>* ? [ ] \</c>), hash tags (<c>{ }</c>), the <c>:</c> separator of its key names,
/// RESP framing in values — in owner ids, keys, prefixes and values.
/// </summary>
public sealed class RedisKeyEncodingTests : IAsyncLifetime
{
    /// <summary>Ids and keys built from the characters Redis reads specially somewhere.</summary>
    private static readonly string[] s_hostileNames =
    [
        "a", "a:", ":a", "a:b", "::", "a::b",
        "{", "}", "{}", "{a}", "a{b}", "}{", "{a}:{b}", "{{a}}",
        "*", "a*", "?", "a?", "[", "]", "[a-z]", "[^a]", "a\\", "\\*", "\\", "a\\{b\\}",
        "%", "_", "'", "\"", "r:x", "i:", "guild:1:x", "agent:1:a:1:b", "global", "global:x", "日本:{語}", "🙂{🙃}",
    ];

    private RedisTestDrivers _drivers = null!;

    public async Task InitializeAsync() => _drivers = await RedisTestDrivers.StartAsync("encoding");

    public Task DisposeAsync() => _drivers.DisposeAsync().AsTask();

    [Fact]
    public async Task Owners_whose_naive_key_names_would_collide_hold_independent_records()
    {
        var state = _drivers.CreateManager();
        StateOwner[] owners =
        [
            StateOwner.Agent("a:b", "c"), StateOwner.Agent("a", "b:c"), StateOwner.Agent("a:b:c", "x"), StateOwner.Agent("a", "b"),
            StateOwner.Agent("{a}", "b"), StateOwner.Agent("{a", "}b"), StateOwner.Agent("a}", "{b"),
            StateOwner.Guild("a:b"), StateOwner.Guild("a"), StateOwner.Guild("1:a:1:b"), StateOwner.Guild("{a}"),
            StateOwner.Agent("global", "global"), StateOwner.Guild("global"), StateOwner.Global,
        ];
        for (var i = 0; i < owners.Length; i++)
        {
            await state.SetAsync(owners[i], "k", i);
            await state.SetAsync(owners[i], "c:k", i);
        }

        for (var i = 0; i < owners.Length; i++)
        {
            var entry = await state.GetAsync<int>(owners[i], "k");
            Assert.Equal(i, entry.Value);
            Assert.Equal(1, entry.Version);
            Assert.Equal(["c:k", "k"], await KeysAsync(state, owners[i], string.Empty));
        }
    }

    [Fact]
    public async Task Keys_with_glob_hash_tag_and_separator_characters_round_trip_and_list_literally()
    {
        var state = _drivers.CreateManager();
        var owner = StateOwner.Agent("g{1}:*", "a[?]\\");
        await using (var tx = await state.BeginTransactionAsync())
        {
            foreach (var key in s_hostileNames)
            {
                await tx.SetAsync(owner, key, key);
            }

            await tx.CommitAsync();
        }

        foreach (var key in s_hostileNames)
        {
            var entry = await state.GetAsync<string>(owner, key);
            Assert.Equal(key, entry.Value);
        }

        foreach (var prefix in s_hostileNames.Append(string.Empty))
        {
            var expected = s_hostileNames.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StateKeyOrder.Comparer);
            Assert.Equal(expected, await KeysAsync(state, owner, prefix));
        }

        // A key that looks like a pattern deletes only itself.
        Assert.True(await state.DeleteAsync(owner, "*"));
        Assert.True(await state.DeleteAsync(owner, "{a}"));
        Assert.True(await state.DeleteAsync(owner, "[a-z]"));
        Assert.Equal(s_hostileNames.Except(["*", "{a}", "[a-z]"]).Order(StateKeyOrder.Comparer), await KeysAsync(state, owner, string.Empty));
    }

    [Fact]
    public async Task Removing_owners_with_separator_and_brace_ids_removes_exactly_those_owners()
    {
        var state = _drivers.CreateManager();
        string[] guilds = ["g", "g:x", "g:", "{g}", "g}", "{g"];
        string[] agents = ["a", "a:b", "x:a", ":", "{a}", "*"];
        foreach (var guild in guilds)
        {
            await state.SetAsync(StateOwner.Guild(guild), "k", guild);
            foreach (var agent in agents)
            {
                await state.SetAsync(StateOwner.Agent(guild, agent), "k", agent);
                await state.SetAsync(StateOwner.Agent(guild, agent), "gone", agent);
                await state.DeleteAsync(StateOwner.Agent(guild, agent), "gone");
            }
        }

        await state.RemoveGuildAsync("g");
        await state.RemoveGuildAsync("{g}");
        await state.RemoveAgentAsync("g:x", "a");
        await state.RemoveAgentAsync("g:", "{a}");

        foreach (var guild in guilds)
        {
            var guildRemoved = guild is "g" or "{g}";
            Assert.Equal(!guildRemoved, (await state.GetAsync<string>(StateOwner.Guild(guild), "k")).Exists);
            foreach (var agent in agents)
            {
                var removed = guildRemoved || (guild, agent) is ("g:x", "a") or ("g:", "{a}");
                var owner = StateOwner.Agent(guild, agent);
                Assert.True((await state.GetAsync<string>(owner, "k")).Exists == !removed, $"agent {guild}/{agent} should {(removed ? "be removed" : "remain")}");

                // A removed owner's tombstones went with it: its keys start again above the guild's version floor,
                // above every version removed; a kept owner's tombstone continues.
                var version = await state.SetAsync(owner, "gone", 0);
                Assert.True(removed ? version > 3 : version == 3, $"agent {guild}/{agent}: version {version}");
            }
        }
    }

    [Fact]
    public async Task Values_with_newlines_RESP_framing_and_any_bytes_are_stored_exactly()
    {
        var state = _drivers.CreateManager();
        var driver = state.Driver;
        var owner = StateOwner.Guild("{values}");
        byte[][] values =
        [
            "{\n  \"text\": \"line 1\",\r\n  \"more\": [1,\n2]\n}\n"u8.ToArray(),
            "\"*3\\r\\n$3\\r\\nSET\\r\\n\""u8.ToArray(),
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"u8.ToArray(),
            [0, 1, 2, 0xFF, 0xFE, (byte)'\n', (byte)'\r', 0],
            Encoding.UTF8.GetBytes("\"日本語 🙂 {a}:*?[]\\\\\""),
            [],
        ];
        for (var i = 0; i < values.Length; i++)
        {
            var result = await driver.CommitAsync([new StateWrite(owner, $"v{i}", StateWriteKind.Set, values[i], null)], [], CommitId.None, CancellationToken.None);
            Assert.True(result.Succeeded);
        }

        for (var i = 0; i < values.Length; i++)
        {
            var record = await driver.ReadAsync(owner, $"v{i}", CancellationToken.None);
            Assert.NotNull(record);
            Assert.Equal(values[i], record.Value.Value.ToArray());
        }

        var listed = new List<StoredRecord>();
        await foreach (var record in driver.ListAsync(owner, "v", CancellationToken.None))
        {
            listed.Add(record);
        }

        Assert.Equal(values, listed.Select(r => r.Value.ToArray()));

        // String values with newlines and quotes through the typed API.
        const string text = "first line\nsecond line\r\n\t\"quoted\" {tag} *glob* \\ end";
        await state.SetAsync(owner, "text", text);
        Assert.Equal(text, (await state.GetAsync<string>(owner, "text")).Value);
    }

    [Fact]
    public async Task Keys_that_sort_differently_as_bytes_and_as_UTF16_list_in_code_point_order_across_small_pages()
    {
        var state = _drivers.CreateManager(listPageSize: 2);
        string[] keys = ["{", "}", "\uFFFD", "🙂", "\uE000", "a", "~", "\U0010FFFF", "{🙂}", "{\uFFFD}", "z"];
        foreach (var key in keys)
        {
            await state.SetAsync(StateOwner.Global, key, key);
        }

        Assert.Equal(keys.Order(StateKeyOrder.Comparer), await KeysAsync(state, StateOwner.Global, string.Empty));
        Assert.Equal(["{", "{\uFFFD}", "{🙂}"], await KeysAsync(state, StateOwner.Global, "{"));
    }
}
