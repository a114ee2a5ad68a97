using System.Diagnostics;
using Microsoft.Data.Sqlite;
using TypedState.Sqlite;

namespace TypedState.Benchmarks;

/// <summary>
/// What remembering a commit id costs a SQLite set, id kind by id kind and table by table, in raw statements (no
/// driver): a set's record upsert alone, and with its commit id remembered (log off) or kept by its log entry (log
/// on), for random ids and for time-ordered (RFC 9562 version 7) ids in each byte order. Each set is its own
/// transaction, WAL at synchronous NORMAL, 200-byte values over 100 keys; every table starts with
/// <c>--ids</c> earlier sets (default 100,000) so a random id's leaf page is as often out of cache as in a used file.
/// Blocks of 1,000 sets per variant run in a shuffled order each round; each block is timed in process CPU, and its
/// WAL frames (pages written) are counted from the WAL's size, the WAL being checkpointed and truncated before it.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release --project benchmarks/TypedState.Benchmarks -- sqlite-commit-ids [--rounds 20] [--ids 100000]</c>.
/// </remarks>
public static class SqliteCommitIdLayouts
{
    private const int SetsPerBlock = 1000;

    private const string Records = SqliteLogLayouts.Records;

    private const string Commits7 = SqliteLogLayouts.Commits;

    /// <summary>Layout 8: one b-tree keyed by the id in RFC 9562 byte order (the old byte order a virtual column), no expiry index.</summary>
    private static readonly string s_commits8 =
        "CREATE TABLE commits (uuid BLOB NOT NULL PRIMARY KEY, versions BLOB NOT NULL, expires_at INTEGER NOT NULL, " +
        $"id BLOB GENERATED ALWAYS AS ({SqliteCommitIdBytes.Swap("uuid")}) VIRTUAL) WITHOUT ROWID;";

    /// <summary>The candidate layout 8 did not take: the key in RFC 9562 byte order, and still the expiry index.</summary>
    private const string CommitsOrderedWithExpiry =
        "CREATE TABLE commits (id BLOB NOT NULL PRIMARY KEY, versions BLOB NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID; " +
        "CREATE INDEX commits_expiry ON commits (expires_at);";

    private const string Entries =
        """
        CREATE TABLE entries (guild_id TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, scope INTEGER NOT NULL,
            agent_id TEXT NOT NULL, key TEXT NOT NULL, prev_version INTEGER NOT NULL, version INTEGER NOT NULL, value BLOB,
            commit_id BLOB NOT NULL, timestamp INTEGER NOT NULL, commit_writes INTEGER, PRIMARY KEY (guild_id, seq));
        CREATE INDEX entries_as_of ON entries (guild_id, scope, agent_id, key, seq);
        CREATE UNIQUE INDEX entries_event_ids ON entries (guild_id, key) WHERE kind = 2;
        """;

    private const string EntryIndex7 = "CREATE INDEX entries_commits ON entries (commit_id) WHERE commit_writes IS NOT NULL;";

    private static readonly string s_entryIndex8 = $"CREATE INDEX entries_commits ON entries ({SqliteCommitIdBytes.Swap("commit_id")}) WHERE commit_writes IS NOT NULL;";

    private const string Upsert =
        "INSERT INTO records (scope, guild_id, agent_id, key, value, version) VALUES (2, 'guild-1', '', $key, $value, 1) " +
        "ON CONFLICT (scope, guild_id, agent_id, key) DO UPDATE SET value = excluded.value, version = version + 1";

    private const string Remember = "INSERT INTO commits (id, versions, expires_at) VALUES ($id, x'0100000000000000', $expires)";

    private const string Remember8 = "INSERT INTO commits (uuid, versions, expires_at) VALUES ($id, x'0100000000000000', $expires)";

    private const string Entry =
        "INSERT INTO entries (guild_id, seq, kind, scope, agent_id, key, prev_version, version, value, commit_id, timestamp, commit_writes) " +
        "VALUES ('guild-1', $seq, 0, 2, '', $key, 0, 1, $value, $id, $expires, 1)";

    private static readonly Variant[] s_variants =
    [
        new("log off: no commit id", Records, [Upsert], RandomId),
        new("log off, layout 7: random id, key + expiry index", Records + Commits7, [Upsert, Remember], RandomId),
        new("log off, layout 7: version-7 id as layout 7 stores it (Guid.ToByteArray)", Records + Commits7, [Upsert, Remember], Version7Mixed),
        new("log off, candidate: version-7 id in RFC order, key + expiry index", Records + CommitsOrderedWithExpiry, [Upsert, Remember], Version7Rfc),
        new("log off, layout 8: version-7 id in RFC order, one b-tree (no expiry index)", Records + s_commits8, [Upsert, Remember8], Version7Rfc),
        new("log on, layout 7: random id kept by the entry", Records + Entries + EntryIndex7, [Upsert, Entry], RandomId),
        new("log on, layout 7: version-7 id kept by the entry (Guid.ToByteArray)", Records + Entries + EntryIndex7, [Upsert, Entry], Version7Mixed),
        new("log on, layout 8: version-7 id, entry index on its RFC order", Records + Entries + s_entryIndex8, [Upsert, Entry], Version7Mixed),
    ];

    public static int Run(string[] args)
    {
        var ids = 100_000;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--ids" && i + 1 < args.Length)
            {
                ids = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        if (BenchmarkArguments.Parse([.. rest], "sqlite-commit-ids [--rounds N] [--ids N]", "--rounds") is not { } options)
        {
            return 2;
        }

        var rounds = rest.Contains("--rounds") ? options.Rounds : 20;
        var directory = Directory.CreateTempSubdirectory("typedstate-commit-ids-");
        try
        {
            var value = new byte[200];
            Random.Shared.NextBytes(value);
            var runs = s_variants.Select((variant, i) => new VariantRun(variant, Path.Combine(directory.FullName, $"{i}.db"), value)).ToArray();
            foreach (var run in runs)
            {
                run.Prefill(ids);
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var run in runs.OrderBy(_ => Random.Shared.Next()))
                {
                    run.Block();
                }
            }

            Print(runs, rounds, ids);
            foreach (var run in runs)
            {
                run.Dispose();
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static byte[] RandomId() => Guid.NewGuid().ToByteArray();

    private static byte[] Version7Mixed() => Guid.CreateVersion7().ToByteArray();

    private static byte[] Version7Rfc() => Guid.CreateVersion7().ToByteArray(bigEndian: true);

    private static void Print(VariantRun[] runs, int rounds, int ids)
    {
        Console.WriteLine($"SQLite set with its commit id, raw statements, WAL + NORMAL, {rounds} rounds of {SetsPerBlock} sets per variant, {ids} earlier sets per table, process CPU");
        Console.WriteLine();
        Console.WriteLine("| Variant | µs CPU per set (median) | ÷ no commit id | WAL frames per set (median) | p10–p90 frames |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var off = Median(runs[0].Times);
        foreach (var run in runs)
        {
            var frames = run.Frames.Order().ToArray();
            Console.WriteLine(
                $"| {run.Variant.Name} | {Median(run.Times):F1} | {Median(run.Times) / off:F2} | {Median(run.Frames):F2} | " +
                $"{frames[frames.Length / 10]:F2}–{frames[frames.Length * 9 / 10]:F2} |");
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private sealed record Variant(string Name, string Schema, string[] Writes, Func<byte[]> NewId);

    /// <summary>One variant's file, its prepared statements and what its blocks measured.</summary>
    private sealed class VariantRun : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand[] _commands;
        private readonly string _walPath;
        private long _sequence;

        public VariantRun(Variant variant, string path, byte[] value)
        {
            Variant = variant;
            _walPath = path + "-wal";
            _connection = new SqliteConnection($"Data Source={path};Pooling=false");
            _connection.Open();
            Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;");
            Execute(variant.Schema);
            _commands = [.. variant.Writes.Select(sql =>
            {
                var command = _connection.CreateCommand();
                command.CommandText = sql;
                foreach (var name in new[] { "$key", "$value", "$seq", "$id", "$expires" }.Where(sql.Contains))
                {
                    command.Parameters.Add(new SqliteParameter(name, name == "$value" ? value : null));
                }

                command.Prepare();
                return command;
            })];
        }

        public Variant Variant { get; }

        public List<double> Times { get; } = [];

        public List<double> Frames { get; } = [];

        /// <summary>Writes <paramref name="count"/> sets in one transaction: the table a used file has.</summary>
        public void Prefill(int count)
        {
            using var transaction = _connection.BeginTransaction();
            for (var i = 0; i < count; i++)
            {
                Set(transaction);
            }

            transaction.Commit();
            Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        /// <summary>One block of sets, each its own transaction.</summary>
        public void Block()
        {
            Execute("PRAGMA wal_checkpoint(TRUNCATE)");
            var started = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < SetsPerBlock; i++)
            {
                using var transaction = _connection.BeginTransaction();
                Set(transaction);
                transaction.Commit();
            }

            Times.Add((Process.GetCurrentProcess().TotalProcessorTime - started).TotalMicroseconds / SetsPerBlock);
            var pageSize = Convert.ToInt64(Scalar("PRAGMA page_size"), System.Globalization.CultureInfo.InvariantCulture);
            Frames.Add((new FileInfo(_walPath).Length - 32) / (double)(pageSize + 24) / SetsPerBlock);
        }

        public void Dispose()
        {
            foreach (var command in _commands)
            {
                command.Dispose();
            }

            _connection.Dispose();
        }

        private void Set(SqliteTransaction transaction)
        {
            var sequence = ++_sequence;
            var id = Variant.NewId();
            var expires = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 600_000;
            foreach (var command in _commands)
            {
                command.Transaction = transaction;
                foreach (SqliteParameter parameter in command.Parameters)
                {
                    parameter.Value = parameter.ParameterName switch
                    {
                        "$key" => "k" + (sequence % 100),
                        "$seq" => sequence,
                        "$id" => id,
                        "$expires" => expires,
                        _ => parameter.Value,
                    };
                }

                command.ExecuteNonQuery();
            }
        }

        private void Execute(string sql)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        private object? Scalar(string sql)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteScalar();
        }
    }
}
