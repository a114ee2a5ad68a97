using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using StackExchange.Redis;
using TypedState.InMemory;
using TypedState.Postgres;
using TypedState.Redis;
using TypedState.Sqlite;

namespace TypedState.Benchmarks;

/// <summary>
/// The stores the timeline benchmarks run on, one line each, and their raw scans of the entry rows (the driver's own
/// table read with the driver's client library and no TypedState code, every column of every row read).
/// </summary>
internal static class TimelineDrivers
{
    /// <summary>The drivers by name, in run order; each builds an empty store (starting its server when it needs one).</summary>
    public static readonly (string Name, Func<Task<TimelineFixture>> Create)[] All =
    [
        ("in-memory", () => Task.FromResult(InMemory())),
        ("SQLite", () => Task.FromResult(Sqlite())),
        ("PostgreSQL", () => Task.FromResult(Postgres())),
        ("Redis", async () => Own(await EphemeralRedis.StartAsync(), Redis)),
    ];

    private static TimelineFixture InMemory()
    {
        var manager = new InMemoryStateManager();
        return new TimelineFixture("in-memory", manager, (guild, after, upTo) => TimelineFixture.ScanThroughTimelines(manager, guild, after, upTo), null);
    }

    /// <summary>
    /// SQLite at synchronous NORMAL, so that forks and writes measure the work rather than the fsync every FULL commit
    /// waits for (a fork is one write transaction on either side).
    /// </summary>
    private static TimelineFixture Sqlite()
    {
        var directory = Directory.CreateTempSubdirectory("typedstate-bench-timeline-");
        var file = Path.Combine(directory.FullName, "typedstate.db");
        var manager = new SqliteStateManager(new SqliteStateDriverOptions { ConnectionString = "Data Source=" + file, Synchronous = SqliteSynchronousMode.Normal });
        var raw = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        var scan = raw.CreateCommand();
        scan.CommandText =
            "SELECT seq, kind, scope, agent_id, key, prev_version, version, value, commit_id, timestamp FROM typedstate_entries " +
            "WHERE guild_id = $guild AND seq > $after AND seq <= $upTo ORDER BY seq";
        var guild = scan.Parameters.Add("$guild", SqliteType.Text);
        var after = scan.Parameters.Add("$after", SqliteType.Integer);
        var upTo = scan.Parameters.Add("$upTo", SqliteType.Integer);
        long Scan(string guildId, long from, long to)
        {
            if (raw.State != System.Data.ConnectionState.Open)
            {
                raw.Open();
                scan.Prepare();
            }

            (guild.Value, after.Value, upTo.Value) = (guildId, from, to);
            using var reader = scan.ExecuteReader();
            long bytes = 0;
            while (reader.Read())
            {
                bytes += reader.GetInt64(0) + reader.GetInt64(1) + reader.GetInt64(2) + reader.GetString(3).Length + reader.GetString(4).Length
                    + reader.GetInt64(5) + reader.GetInt64(6) + (reader.IsDBNull(7) ? 0 : reader.GetFieldValue<byte[]>(7).Length)
                    + reader.GetFieldValue<byte[]>(8).Length + reader.GetInt64(9);
            }

            return bytes;
        }

        return new TimelineFixture("SQLite", manager, Scan, new Cleanup(() =>
        {
            raw.Dispose();
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }));
    }

    private static TimelineFixture Postgres()
    {
        var server = new EphemeralPostgres();
        var manager = new PostgresStateManager(new PostgresStateDriverOptions { ConnectionString = server.ConnectionString });
        var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        long Scan(string guildId, long from, long to)
        {
            using var command = dataSource.CreateCommand(
                "SELECT seq, kind, scope, agent_id, key, previous_version, version, value, value_bytes, commit_id, committed_at FROM typedstate.timeline_entries " +
                "WHERE guild_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = guildId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = to });
            using var reader = command.ExecuteReader();
            long bytes = 0;
            while (reader.Read())
            {
                bytes += reader.GetInt64(0) + reader.GetInt16(1) + reader.GetInt16(2) + reader.GetString(3).Length + reader.GetString(4).Length
                    + reader.GetInt64(5) + reader.GetInt64(6) + (reader.IsDBNull(7) ? 0 : reader.GetFieldValue<byte[]>(7).Length)
                    + (reader.IsDBNull(8) ? 0 : reader.GetFieldValue<byte[]>(8).Length) + reader.GetGuid(9).GetHashCode() + reader.GetDateTime(10).Ticks;
            }

            return bytes;
        }

        var fixture = new TimelineFixture("PostgreSQL", manager, Scan, new Cleanup(() =>
        {
            dataSource.Dispose();
            server.Dispose();
        }));
        fixture.Steps.Add((
            $"ListAsOf statement: the driver's (list_as_of, a DISTINCT ON scan per level of the fork chain) vs one bare DISTINCT ON scan, at sequence {TimelineFixture.OwnerCompleteAt}",
            () => RunList(dataSource, PostgresDriverListAsOf),
            () => RunList(dataSource, PostgresSetBasedListAsOf)));
        fixture.Steps.Add((
            "fork's empty-target check (EXISTS on records for a new guild id, as fork_timeline runs it) after ANALYZE: custom plan vs generic plan",
            PlannedTargetCheck(dataSource, "force_custom_plan"),
            PlannedTargetCheck(dataSource, "force_generic_plan")));
        return fixture;
    }

    /// <summary>
    /// fork_timeline's check that the new guild holds no record, as a prepared statement on a connection of its own
    /// planned the given way (plpgsql caches its statements' plans the same way, and goes generic after five runs when
    /// the generic plan does not look dearer). ANALYZE first: with two guilds in the table, a guild id matches half the
    /// rows in the statistics, which makes a sequential scan look cheap for an EXISTS.
    /// </summary>
    private static Func<long> PlannedTargetCheck(NpgsqlDataSource dataSource, string planCacheMode)
    {
        NpgsqlConnection? connection = null;
        NpgsqlCommand? execute = null;
        return () =>
        {
            if (connection is null)
            {
                connection = dataSource.OpenConnection();
                using var setup = connection.CreateCommand();
                setup.CommandText = $"ANALYZE typedstate.records; SET plan_cache_mode = {planCacheMode}; " +
                    "PREPARE target_check(text) AS SELECT EXISTS (SELECT 1 FROM typedstate.records r WHERE r.scope IN (1, 2) AND r.guild_id = $1)";
                setup.ExecuteNonQuery();
                using var explain = connection.CreateCommand();
                explain.CommandText = "EXPLAIN EXECUTE target_check('no-such-guild')";
                Console.WriteLine($"{planCacheMode}: {string.Join(" / ", ReadLines(explain))}");
                execute = connection.CreateCommand();
                execute.CommandText = "EXECUTE target_check('no-such-guild')";
            }

            return (bool)execute!.ExecuteScalar()! ? 1 : 0;
        };
    }

    private static List<string> ReadLines(NpgsqlCommand command)
    {
        var lines = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0).Trim());
        }

        return lines;
    }

    /// <summary>The driver's ListAsOf statement (PostgresSql.Timelines.cs) for agent-000 of the big guild, everything from key ''.</summary>
    private const string PostgresDriverListAsOf =
        "SELECT key, value, value_bytes, version FROM typedstate.list_as_of($1, $3, 1::smallint, $2, '', NULL) WHERE live";

    /// <summary>
    /// The same answer for a guild that is not a fork, set-based: each key's last set or delete at or below the sequence,
    /// after the owner's last removal, in one scan of the owner's entries (the shape of SQLite's GROUP BY max(seq)).
    /// </summary>
    private const string PostgresSetBasedListAsOf =
        "SELECT c.key, c.value, c.value_bytes, c.version FROM (" +
        "SELECT DISTINCT ON (e.key) e.key, e.kind, e.seq, e.value, e.value_bytes, e.version FROM typedstate.timeline_entries e " +
        "WHERE e.guild_id = $1 AND e.scope = 1 AND e.agent_id = $2 AND e.kind IN (0, 1) AND e.seq <= $3 ORDER BY e.key, e.seq DESC) c " +
        "WHERE c.kind = 0 AND c.seq > (SELECT coalesce(max(r.seq), 0) FROM typedstate.timeline_entries r WHERE r.guild_id = $1 AND r.scope = 1 " +
        "AND r.agent_id = $2 AND r.kind = 3 AND r.key = '' AND r.seq <= $3) ORDER BY c.key";

    /// <summary>Runs a listing statement; returns rows plus versions, which both statements must agree on.</summary>
    private static long RunList(NpgsqlDataSource dataSource, string sql)
    {
        using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = TimelineFixture.BigGuild });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "agent-000" });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = TimelineFixture.OwnerCompleteAt });
        using var reader = command.ExecuteReader();
        long sum = 0;
        while (reader.Read())
        {
            sum += 1_000_000 + reader.GetInt64(3) + (reader.IsDBNull(1) ? 0 : reader.GetString(1).Length);
        }

        return sum;
    }

    /// <summary>
    /// Redis with prefix <c>tl</c>; its raw scan reads the guild's entry hash (<c>{tl}:xe:guild:&lt;length&gt;:&lt;id&gt;</c>,
    /// sequence to encoded entry) with HMGET, 1,000 sequences a command, and counts the bytes without decoding them.
    /// </summary>
    private static TimelineFixture Redis(EphemeralRedis redis)
    {
        var connection = ConnectionMultiplexer.Connect(redis.Configuration);
        var database = connection.GetDatabase();
        long Scan(string guildId, long from, long to)
        {
            const int chunk = 1000;
            RedisKey entries = $"{{tl}}:xe:guild:{Encoding.UTF8.GetByteCount(guildId)}:{guildId}";
            long bytes = 0;
            for (var start = from + 1; start <= to; start += chunk)
            {
                var count = (int)Math.Min(chunk, to - start + 1);
                var fields = new RedisValue[count];
                for (var i = 0; i < count; i++)
                {
                    fields[i] = start + i;
                }

                foreach (var entry in database.HashGet(entries, fields))
                {
                    bytes += entry.IsNull ? 0 : ((byte[])entry!).Length;
                }
            }

            return bytes;
        }

        return new TimelineFixture("Redis", new RedisStateManager(redis.Configuration, "tl"), Scan, new Cleanup(() =>
        {
            connection.Dispose();
            redis.Dispose();
        }));
    }

    private static TimelineFixture Own<T>(T server, Func<T, TimelineFixture> create)
        where T : IDisposable
    {
        try
        {
            return create(server);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private sealed class Cleanup(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
