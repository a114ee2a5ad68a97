using System.Text;
using System.Text.Json;
using TypedState.Postgres;
using TypedState.Storage;

namespace TypedState.Tests.Postgres;

/// <summary>
/// Every key and owner id the store accepts is stored: ids of <see cref="StateOwner.MaxIdLength"/> and keys of the
/// largest <see cref="StateManagerOptions.MaxKeyLength"/> (8192), all of 4-byte characters (16 KiB of UTF-8 per key),
/// far beyond what a PostgreSQL btree entry holds (2704 bytes). Keys that share long prefixes still list in code point
/// order, and prefix listings still find exactly their keys, across pages.
/// </summary>
public sealed class PostgresLongKeyTests : IAsyncLifetime
{
    private const int MaxKeyLength = 8192;

    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task Maximum_length_ids_and_keys_of_four_byte_characters_are_stored_read_deleted_and_locked()
    {
        var schema = _schemas.New("long_keys");
        await using var state = Manager(schema, pageSize: 256);
        var guildId = Astral(StateOwner.MaxIdLength / 2, seed: 1);
        var agent = StateOwner.Agent(guildId, Astral(StateOwner.MaxIdLength / 2, seed: 2));
        var guild = StateOwner.Guild(guildId);
        var key = Astral(MaxKeyLength / 2, seed: 3);
        Assert.Equal(MaxKeyLength, key.Length);
        Assert.Equal(4 * MaxKeyLength / 2, Encoding.UTF8.GetByteCount(key));

        foreach (var owner in new[] { agent, guild, StateOwner.Global })
        {
            Assert.Equal(1, await state.SetAsync(owner, key, "first"));
            Assert.Equal(2, await state.SetAsync(owner, key, "second", expectedVersion: 1));
            var entry = await state.GetAsync<string>(owner, key);
            Assert.Equal(("second", 2L), (entry.Value, entry.Version));
            await using (var held = await state.TryAcquireLockAsync(owner, key, TimeSpan.FromMinutes(1)))
            {
                Assert.NotNull(held);
                Assert.Null(await state.TryAcquireLockAsync(owner, key, TimeSpan.FromMinutes(1)));
                Assert.True(await state.DeleteAsync(owner, key, expectedVersion: 2));
            }

            Assert.False((await state.GetAsync<string>(owner, key)).Exists);
            Assert.Equal(4, await state.SetAsync(owner, key, "again", expectedVersion: 0));
        }

        await state.RemoveGuildAsync(guildId);
        Assert.False((await state.GetAsync<string>(agent, key)).Exists);
        Assert.True((await state.GetAsync<string>(StateOwner.Global, key)).Exists);
    }

    [Fact]
    public async Task Long_keys_sharing_long_prefixes_list_in_code_point_order_and_by_prefix_across_pages()
    {
        var schema = _schemas.New("long_order");
        await using var state = Manager(schema, pageSize: 2);
        var owner = StateOwner.Agent(Astral(StateOwner.MaxIdLength / 2, seed: 4), Astral(StateOwner.MaxIdLength / 2, seed: 5));
        var head = Astral(3000, seed: 6);

        // Keys that differ only after thousands of characters, one that is a prefix of others, a BMP character
        // against an astral one at the same position (code point order, not UTF-16 order), and short keys.
        var keys = new List<string>
        {
            head,
            head + "a",
            head + "b",
            head + "\uFFFD",
            head + "\U0001F600",
            head + "a" + Astral(1000, seed: 7),
            head[..100] + "a",
            head[..100] + "\U0010FFFF",
            "a",
            "\U00010000",
            Astral(MaxKeyLength / 2, seed: 8),
        };
        var versions = await CreateAsync(state, owner, keys);
        Assert.All(versions, v => Assert.Equal(1L, v));

        Assert.Equal(keys.Order(StateKeyOrder.Comparer), await KeysAsync(state, owner, string.Empty));
        foreach (var prefix in new[] { head, head + "a", head[..100], head[..2000], head[..100] + "\U0010FFFF", "\U00010000", head + "c" })
        {
            var expected = keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StateKeyOrder.Comparer).ToList();
            Assert.Equal(expected, await KeysAsync(state, owner, prefix));
        }
    }

    [Fact]
    public async Task A_transaction_reads_and_writes_maximum_length_keys_atomically()
    {
        await using var state = Manager(_schemas.New("long_tx"), pageSize: 256);
        var owner = StateOwner.Agent(Astral(StateOwner.MaxIdLength / 2, seed: 9), Astral(StateOwner.MaxIdLength / 2, seed: 10));
        var head = Astral((MaxKeyLength / 2) - 1, seed: 11);
        string[] keys = [head + "\U00010001", head + "\U00010002", head + "\U00010003"];
        await state.SetAsync(owner, keys[0], 1);

        await using (var transaction = await state.BeginTransactionAsync())
        {
            var read = await transaction.GetAsync<int>(owner, keys[0]);
            Assert.False((await transaction.GetAsync<int>(owner, keys[2])).Exists);
            await transaction.SetAsync(owner, keys[0], read.Value + 1);
            await transaction.SetAsync(owner, keys[1], 1);
            await transaction.CommitAsync();
        }

        Assert.Equal((2, 2L), ((await state.GetAsync<int>(owner, keys[0])).Value, (await state.GetAsync<int>(owner, keys[0])).Version));
        Assert.Equal(1, (await state.GetAsync<int>(owner, keys[1])).Value);
        Assert.False((await state.GetAsync<int>(owner, keys[2])).Exists);
    }

    [Fact]
    public void The_statements_index_and_compare_the_key_head_the_driver_orders_by()
    {
        var sql = new PostgresSql("s", PostgresValueStorage.Jsonb);
        var head = $"left(key, {PostgresSql.KeyHeadLength})";

        foreach (var statement in new[] { sql.Read, sql.SetAny, sql.LockedLiveVersion, sql.ListFirstBounded, sql.ListNextUnbounded, sql.ListGroup })
        {
            Assert.Contains(head, statement, StringComparison.Ordinal);
        }

        Assert.All(sql.LayoutUpgrades[^1].Split(';').Where(s => s.Contains("CREATE UNIQUE INDEX", StringComparison.Ordinal)), s => Assert.Contains($", {PostgresSql.KeyHeadLength}),", s, StringComparison.Ordinal));
    }

    private PostgresStateManager Manager(string schema, int pageSize) =>
        new(new PostgresStateDriverOptions { ConnectionString = _server.ConnectionString, Schema = schema, ListPageSize = pageSize }, new StateManagerOptions { MaxKeyLength = MaxKeyLength });

    /// <summary><paramref name="count"/> varied characters outside the BMP (4 bytes each in UTF-8, 2 UTF-16 code units), so nothing compresses.</summary>
    private static string Astral(int count, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(count * 2);
        for (var i = 0; i < count; i++)
        {
            builder.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x10FFFF + 1)));
        }

        return builder.ToString();
    }

    private static async Task<List<long>> CreateAsync(IStateManager state, StateOwner owner, IEnumerable<string> keys)
    {
        var versions = new List<long>();
        foreach (var key in keys)
        {
            versions.Add(await state.SetAsync(owner, key, key.Length, expectedVersion: 0));
        }

        return versions;
    }

    private static async Task<List<string>> KeysAsync(IStateManager state, StateOwner owner, string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in state.ListAsync<JsonElement>(owner, prefix))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }
}
