using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace TypedState.Benchmarks;

/// <summary>
/// What a guild's timeline costs a SQLite set, layout by layout, in raw statements (no driver): the set's own writes
/// (the record's upsert and its commit id) against the same plus the log entry in the driver's layout and in
/// candidate layouts. Each set is its own transaction, WAL, 200-byte values over 100 keys; blocks of 1,000 sets per
/// layout run in a shuffled order each round. At synchronous NORMAL blocks are timed in process CPU (a set's cost is
/// CPU-bound there); with <c>--full</c> (synchronous FULL, the driver's default) in wall-clock time, as a commit then
/// waits for its fsync. The ratios are each layout's median over the log-off median.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release --project benchmarks/TypedState.Benchmarks -- sqlite-log-layouts [--rounds 30] [--full]</c>.
/// It bounds what any driver code can reach: a layout whose statements alone cost more than the goal cannot meet it.
/// </remarks>
public static class SqliteLogLayouts
{
    private const int SetsPerBlock = 1000;

    /// <summary>The records table of the driver's layout.</summary>
    internal const string Records =
        """
        CREATE TABLE records (scope INTEGER NOT NULL, guild_id TEXT NOT NULL, agent_id TEXT NOT NULL, key TEXT NOT NULL,
            value BLOB, version INTEGER NOT NULL, PRIMARY KEY (scope, guild_id, agent_id, key));
        """;

    /// <summary>The commits table of storage layouts 3 to 7: the id's bytes as the key, and an index on the expiry.</summary>
    internal const string Commits =
        """
        CREATE TABLE commits (id BLOB NOT NULL PRIMARY KEY, versions BLOB NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX commits_expiry ON commits (expires_at);
        """;

    private const string EntryColumns =
        """
        guild_id TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, scope INTEGER NOT NULL, agent_id TEXT NOT NULL,
        key TEXT NOT NULL, prev_version INTEGER NOT NULL, version INTEGER NOT NULL, value BLOB, commit_id BLOB NOT NULL,
        timestamp INTEGER NOT NULL, PRIMARY KEY (guild_id, seq)
        """;

    private const string EntryIndexes =
        """
        CREATE INDEX entries_as_of ON entries (guild_id, scope, agent_id, key, seq);
        CREATE UNIQUE INDEX entries_event_ids ON entries (guild_id, key) WHERE kind = 2;
        """;

    private const string EntriesRowid = "CREATE TABLE entries (" + EntryColumns + ");" + EntryIndexes;

    private const string EntriesWithoutRowid = "CREATE TABLE entries (" + EntryColumns + ") WITHOUT ROWID;" + EntryIndexes;

    private const string CommitIdIndex = "CREATE INDEX entries_commit ON entries (commit_id);";

    /// <summary>Storage layout 7: the entries of a commit that keeps its id mark it with the write count, indexed partially.</summary>
    private const string Layout7 =
        "ALTER TABLE entries ADD COLUMN commit_writes INTEGER; CREATE INDEX entries_commits ON entries (commit_id) WHERE commit_writes IS NOT NULL;";

    private const string Upsert =
        "INSERT INTO records (scope, guild_id, agent_id, key, value, version) VALUES (2, $guild, '', $key, $value, 1) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET value = excluded.value, version = version + 1";

    private const string UpsertVersionOnly =
        "INSERT INTO records (scope, guild_id, agent_id, key, value, version) VALUES (2, $guild, '', $key, NULL, 1) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET version = version + 1";

    private const string Commit = "INSERT INTO commits (id, versions, expires_at) VALUES ($id, x'0100000000000000', $seq)";

    private const string Entry =
        "INSERT INTO entries (guild_id, seq, kind, scope, agent_id, key, prev_version, version, value, commit_id, timestamp) " +
        "VALUES ($guild, $seq, 0, 2, '', $key, 0, 1, $value, $id, $seq)";

    private const string Layout7Entry =
        "INSERT INTO entries (guild_id, seq, kind, scope, agent_id, key, prev_version, version, value, commit_id, timestamp, commit_writes) " +
        "VALUES ($guild, $seq, 0, 2, '', $key, 0, 1, $value, $id, $seq, 1)";

    private static readonly Layout[] s_layouts =
    [
        new("log off: record + commit id", Records + Commits, [Upsert, Commit]),
        new("log on, the driver's layout (storage layout 6)", Records + Commits + EntriesRowid, [Upsert, Commit, Entry]),
        new("log on, storage layout 7 (commit id kept by the entry)", Records + Commits + EntriesRowid + Layout7, [Upsert, Layout7Entry]),
        new("log on, entries WITHOUT ROWID", Records + Commits + EntriesWithoutRowid, [Upsert, Commit, Entry]),
        new("log on, commit id kept by the entry (rowid entries)", Records + EntriesRowid + CommitIdIndex, [Upsert, Entry]),
        new("log on, commit id kept by the entry, WITHOUT ROWID", Records + EntriesWithoutRowid + CommitIdIndex, [Upsert, Entry]),
        new("log on, value kept once (by the entry), WITHOUT ROWID", Records + EntriesWithoutRowid + CommitIdIndex, [UpsertVersionOnly, Entry]),
    ];

    public static int Run(string[] args)
    {
        var full = args.Contains("--full");
        if (BenchmarkArguments.Parse([.. args.Where(arg => arg != "--full")], "sqlite-log-layouts [--rounds N] [--full]", "--rounds") is not { } options)
        {
            return 2;
        }

        var rounds = args.Contains("--rounds") ? options.Rounds : 30;
        var directory = Directory.CreateTempSubdirectory("typedstate-log-layouts-");
        try
        {
            var connections = s_layouts.Select((layout, i) => Open(Path.Combine(directory.FullName, $"{i}.db"), layout.Schema, full)).ToArray();
            var sequences = new long[s_layouts.Length];
            var times = s_layouts.Select(_ => new List<double>()).ToArray();
            var value = new byte[200];
            Random.Shared.NextBytes(value);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var i in Enumerable.Range(0, s_layouts.Length).OrderBy(_ => Random.Shared.Next()))
                {
                    var started = full ? Stopwatch.GetTimestamp() : Process.GetCurrentProcess().TotalProcessorTime.Ticks;
                    for (var set = 0; set < SetsPerBlock; set++)
                    {
                        RunSet(connections[i], s_layouts[i].Writes, ++sequences[i], value);
                    }

                    var elapsed = full ? Stopwatch.GetElapsedTime(started) : TimeSpan.FromTicks(Process.GetCurrentProcess().TotalProcessorTime.Ticks - started);
                    times[i].Add(elapsed.TotalMicroseconds / SetsPerBlock);
                }
            }

            Print(times, rounds, full);
            foreach (var connection in connections)
            {
                connection.Dispose();
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static SqliteConnection Open(string path, string schema, bool full)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        Execute(connection, $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {(full ? "FULL" : "NORMAL")};");
        Execute(connection, schema);
        return connection;
    }

    private static void RunSet(SqliteConnection connection, string[] writes, long sequence, byte[] value)
    {
        using var transaction = connection.BeginTransaction();
        foreach (var sql in writes)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$guild", "guild-1");
            command.Parameters.AddWithValue("$key", "k" + (sequence % 100));
            command.Parameters.AddWithValue("$value", value);
            command.Parameters.AddWithValue("$seq", sequence);
            command.Parameters.AddWithValue("$id", Guid.NewGuid().ToByteArray());
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static void Print(List<double>[] times, int rounds, bool full)
    {
        var (mode, clock) = full ? ("FULL", "wall clock") : ("NORMAL", "process CPU");
        Console.WriteLine($"SQLite set, log on against off, raw statements, WAL + {mode}, {rounds} rounds of {SetsPerBlock} sets per layout, {clock}");
        Console.WriteLine();
        Console.WriteLine($"| Layout | µs {clock} per set (median) | ÷ log off (median) | p10–p90 of the blocks ÷ log-off median |");
        Console.WriteLine("|---|---:|---:|---:|");
        var off = Median(times[0]);
        for (var i = 0; i < s_layouts.Length; i++)
        {
            var sorted = times[i].Order().ToArray();
            Console.WriteLine($"| {s_layouts[i].Name} | {Median(times[i]):F1} | {Median(times[i]) / off:F2} | {sorted[sorted.Length / 10] / off:F2}–{sorted[sorted.Length * 9 / 10] / off:F2} |");
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed record Layout(string Name, string Schema, string[] Writes);
}
