using Npgsql;
using TypedState.Postgres;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Tests.Postgres;

/// <summary>
/// A schema of storage layout version 8, as that driver left it (its eight upgrades, unchanged since), with records,
/// a lock, a timeline (sets and an appended event) and a fork, under keys short and long, some of two-byte and
/// four-byte characters around the 128-character key head, is upgraded in place to layout 9: the indexes are rebuilt
/// with the key digest empty for short keys, and every row is found, written, listed and locked as before.
/// </summary>
public sealed class PostgresLayoutVersion8UpgradeTests : IAsyncLifetime
{
    private static readonly string s_longHead = "long/" + new string('k', 200);

    /// <summary>Short and long keys: long ones sharing their head, a short one heading a long one, multi-byte ones near the head's length.</summary>
    private static readonly string[] s_keys =
    [
        "plan",
        s_longHead,
        s_longHead + "/2",
        new string('é', 127),
        new string('é', 127) + "x",
        new string('é', 128),
        new string('é', 126) + "😀", // 128 UTF-16 code units, 127 characters
        new string('é', 127) + "😀", // 129 UTF-16 code units, 128 characters
    ];

    private static readonly string s_eventId = "evt/" + new string('e', 300);

    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task A_layout_version_8_schema_keeps_every_row_and_its_indexes_skip_the_digest_of_short_keys()
    {
        var schema = await _schemas.NewAtLayoutAsync(_server, "v8", 8);
        var records = string.Join(",\n", s_keys.Select((key, i) => $"(2, 'g', '', '{key}', '\"v{i}\"', NULL, 1)"));
        var entries = string.Join(",\n", s_keys.Select((key, i) => $"('g', {i + 1}, 0, 2, '', '{key}', 0, 1, '\"v{i}\"', NULL, gen_random_uuid(), now())"));
        var head = s_keys.Length + 1;
        await _server.ExecuteAsync($$"""
            INSERT INTO "{{schema}}".records (scope, guild_id, agent_id, key, value, value_bytes, version) VALUES {{records}};
            INSERT INTO "{{schema}}".timelines (guild_id, head) VALUES ('g', {{head}});
            INSERT INTO "{{schema}}".timelines (guild_id, head, parent, fork_sequence) VALUES ('f', {{head}}, 'g', {{head}});
            INSERT INTO "{{schema}}".timeline_entries (guild_id, seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at) VALUES {{entries}},
                ('g', {{head}}, 2, 2, '', '{{s_eventId}}', 0, {{head}}, '"placed"', NULL, gen_random_uuid(), now());
            INSERT INTO "{{schema}}".lock_owners (scope, guild_id, agent_id, last_token) VALUES (2, 'g', '', 7);
            INSERT INTO "{{schema}}".locks (scope, guild_id, agent_id, resource, token, expires_at) VALUES (2, 'g', '', '{{s_longHead}}/2', 7, '-infinity');
            """);
        var guild = StateOwner.Guild("g");

        await using var state = new PostgresStateManager(_server.ConnectionString, schema);

        // Every record reads back, in the guild and through the fork; the timeline reads as of its old sequences.
        for (var i = 0; i < s_keys.Length; i++)
        {
            var entry = await state.GetAsync<string>(guild, s_keys[i]);
            Assert.Equal(($"v{i}", 1L), (entry.Value, entry.Version));
            Assert.Equal($"v{i}", (await state.GetAsync<string>(StateOwner.Guild("f"), s_keys[i])).Value);
            Assert.Equal($"v{i}", (await state.Timelines.GetAsOfAsync<string>(guild, s_keys[i], i + 1)).Value);
        }

        Assert.Equal(PostgresSql.LayoutVersion, await _server.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        Assert.Equal(s_keys.Order(StateKeyOrder.Comparer), await state.ListAsync<string>(guild, string.Empty).Select(e => e.Key).ToListAsync());

        // Writes find the same rows (versions continue, no row is added), and are logged after the old head.
        for (var i = 0; i < s_keys.Length; i++)
        {
            Assert.Equal(2L, await state.SetAsync(guild, s_keys[i], $"w{i}", expectedVersion: 1));
            Assert.Equal(3L, await state.SetAsync(guild, s_keys[i], $"x{i}"));
        }

        Assert.Equal((long)s_keys.Length, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records"));
        Assert.Equal(head + (2 * s_keys.Length), (await state.Timelines.GetAsync("g"))!.Head);
        for (var i = 0; i < s_keys.Length; i++)
        {
            var entry = await state.GetAsync<string>(guild, s_keys[i]);
            Assert.Equal(($"x{i}", 3L), (entry.Value, entry.Version));
            Assert.Equal($"v{i}", (await state.Timelines.GetAsOfAsync<string>(guild, s_keys[i], head)).Value);
            Assert.Equal($"v{i}", (await state.GetAsync<string>(StateOwner.Guild("f"), s_keys[i])).Value);
        }

        Assert.Equal(
            s_keys.Select((_, i) => $"v{i}").Order(StringComparer.Ordinal),
            await state.Timelines.ListAsOfAsync<string>(guild, string.Empty, head).Select(e => e.Value!).OrderBy(v => v, StringComparer.Ordinal).ToListAsync());

        // The event appended before the upgrade is found by its id; the lock's token continues on its old row.
        Assert.Equal(head, await state.Timelines.AppendAsync(guild, "placed again", s_eventId));
        await using (var held = await state.TryAcquireLockAsync(guild, s_longHead + "/2", TimeSpan.FromMinutes(1)))
        {
            Assert.Equal(8L, held!.FencingToken);
            Assert.Null(await state.TryAcquireLockAsync(guild, s_longHead + "/2", TimeSpan.FromMinutes(1)));
        }

        Assert.Equal(1L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".locks"));

        // The indexes hold the new digest, and still refuse a second row of a short or a long key.
        foreach (var (index, column) in new[] { ("records_key", "key"), ("locks_resource", "resource"), ("timeline_entries_as_of", "key"), ("timeline_entries_event", "key") })
        {
            var definition = (string)(await _server.ScalarAsync($"SELECT indexdef FROM pg_indexes WHERE schemaname = '{schema}' AND indexname = '{index}'"))!;
            Assert.Contains($"CASE WHEN (length({column}) < 128) THEN '\\x'::bytea ELSE sha256(decode(replace({column},", System.Text.RegularExpressions.Regex.Replace(definition, @"\s+", " "), StringComparison.Ordinal);
        }

        foreach (var key in new[] { "plan", s_longHead + "/2", new string('é', 127) + "😀" })
        {
            var duplicate = await Assert.ThrowsAsync<PostgresException>(() =>
                _server.ExecuteAsync($"INSERT INTO \"{schema}\".records (scope, guild_id, agent_id, key, value, version) VALUES (2, 'g', '', '{key}', NULL, 9)"));
            Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
        }
    }
}
