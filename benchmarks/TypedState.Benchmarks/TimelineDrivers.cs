using Microsoft.Data.Sqlite;
using Npgsql;
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
        // Runs once RedisStateDriver implements ITimelineDriver (until then the harness prints a note and skips it);
        // a raw scan of its log can then be passed instead of null.
        ("Redis", async () => Own(await EphemeralRedis.StartAsync(), redis => new TimelineFixture("Redis", new RedisStateManager(redis.Configuration, "tl"), null, redis))),
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

        return new TimelineFixture("PostgreSQL", manager, Scan, new Cleanup(() =>
        {
            dataSource.Dispose();
            server.Dispose();
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
