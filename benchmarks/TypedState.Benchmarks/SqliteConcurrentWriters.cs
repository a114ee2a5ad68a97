using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TypedState.Sqlite;

namespace TypedState.Benchmarks;

/// <summary>
/// 16 concurrent writers on distinct keys, synchronous FULL: TypedState's SQLite driver (its queued writer with group
/// commit) against 16 writers through raw Microsoft.Data.Sqlite, each on its own connection and thread, each
/// committing its own write (the driver's upsert, autocommitted; busy_timeout 30 s, as the driver's default). Blocks
/// of <c>--seconds</c> alternate raw, TypedState, TypedState, raw, … for <c>--rounds</c> rounds; each round gives
/// one throughput ratio (TypedState writes/s over raw writes/s). Every write's wait (call to return) is timed, and
/// the longest is reported per side, with the writes that failed.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release --project benchmarks/TypedState.Benchmarks -- sqlite-writers [--rounds 5] [--seconds 1] [--aa]</c>;
/// <c>--aa</c> adds a raw-against-raw row (two files) that shows the noise of the run.
/// </remarks>
public static class SqliteConcurrentWriters
{
    public const int Writers = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args, "sqlite-writers [--rounds N] [--seconds S] [--aa]", "--rounds", "--seconds", "--aa") is not { } options)
        {
            return 2;
        }

        var rounds = args.Contains("--rounds") ? options.Rounds : 5;
        var seconds = args.Contains("--seconds") ? options.Seconds : 1.0;
        Console.WriteLine($"{Writers} concurrent writers, distinct keys, synchronous FULL: {rounds} rounds of raw/TypedState/TypedState/raw blocks of {seconds.ToString(CultureInfo.InvariantCulture)} s, .NET {Environment.Version}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        Console.WriteLine("| Comparison | Raw writes/s (median) | TypedState writes/s (median) | Ratio median | Ratio min–max | Raw longest wait | TypedState longest wait | Raw failed | TypedState failed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");

        using var directory = new BenchDirectory();
        await CompareAsync("16 writers: TypedState vs raw (each commits its own write)", new RawWriters(directory.File("raw.db")), new TypedStateWriters(directory.File("typedstate.db")), rounds, seconds);
        if (options.AA)
        {
            await CompareAsync("A/A: raw vs raw", new RawWriters(directory.File("raw-a.db")), new RawWriters(directory.File("raw-b.db")), rounds, seconds);
        }

        return 0;
    }

    private static async Task CompareAsync(string name, IWriters baseline, IWriters candidate, int rounds, double seconds)
    {
        await using var a = baseline;
        await using var b = candidate;

        // Warm-up: both sides create their records and JIT their paths.
        await a.RunAsync(0.3);
        await b.RunAsync(0.3);

        var ratios = new List<double>();
        var baseRates = new List<double>();
        var candidateRates = new List<double>();
        var baseWorst = TimeSpan.Zero;
        var candidateWorst = TimeSpan.Zero;
        long baseFailed = 0;
        long candidateFailed = 0;
        for (var round = 0; round < rounds; round++)
        {
            // ABBA within the round, so a drift in load hits both sides alike.
            var first = round % 2 == 0;
            var r1 = await (first ? a : b).RunAsync(seconds);
            var r2 = await (first ? b : a).RunAsync(seconds);
            var r3 = await (first ? b : a).RunAsync(seconds);
            var r4 = await (first ? a : b).RunAsync(seconds);
            var (baseRun1, candidateRun1, candidateRun2, baseRun2) = first ? (r1, r2, r3, r4) : (r2, r1, r4, r3);
            var baseRate = (baseRun1.Writes + baseRun2.Writes) / (baseRun1.Seconds + baseRun2.Seconds);
            var candidateRate = (candidateRun1.Writes + candidateRun2.Writes) / (candidateRun1.Seconds + candidateRun2.Seconds);
            baseRates.Add(baseRate);
            candidateRates.Add(candidateRate);
            ratios.Add(candidateRate / baseRate);
            baseWorst = Max(baseWorst, Max(baseRun1.LongestWait, baseRun2.LongestWait));
            candidateWorst = Max(candidateWorst, Max(candidateRun1.LongestWait, candidateRun2.LongestWait));
            baseFailed += baseRun1.Failed + baseRun2.Failed;
            candidateFailed += candidateRun1.Failed + candidateRun2.Failed;
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {Median(baseRates):F0} | {Median(candidateRates):F0} | {Median(ratios):F2} | {ratios.Min():F2}–{ratios.Max():F2} | {baseWorst.TotalMilliseconds:F0} ms | {candidateWorst.TotalMilliseconds:F0} ms | {baseFailed} | {candidateFailed} |"));
    }

    private static TimeSpan Max(TimeSpan x, TimeSpan y) => x > y ? x : y;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private readonly record struct Run(long Writes, double Seconds, TimeSpan LongestWait, long Failed);

    private interface IWriters : IAsyncDisposable
    {
        Task<Run> RunAsync(double seconds);
    }

    /// <summary>TypedState: 16 async callers, each awaiting <c>SetAsync</c> on its own key in a loop.</summary>
    private sealed class TypedStateWriters(string path) : IWriters
    {
        private readonly SqliteStateManager _manager = new(new SqliteStateDriverOptions { ConnectionString = "Data Source=" + path });
        private readonly Profile _value = Sample.Create();

        public async Task<Run> RunAsync(double seconds)
        {
            var stats = new Stats();
            var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var start = Stopwatch.GetTimestamp();
            var callers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var owner = StateOwner.Agent(Sample.GuildId, "writer-" + w.ToString(CultureInfo.InvariantCulture));
                while (Stopwatch.GetTimestamp() < end)
                {
                    var began = Stopwatch.GetTimestamp();
                    try
                    {
                        await _manager.SetAsync(owner, Sample.Key, _value, Sample.TypeInfo).ConfigureAwait(false);
                        stats.Wrote(Stopwatch.GetElapsedTime(began));
                    }
                    catch (StateException)
                    {
                        stats.Failed();
                    }
                }
            })).ToArray();
            await Task.WhenAll(callers);
            return stats.Result(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        public ValueTask DisposeAsync() => _manager.DisposeAsync();
    }

    /// <summary>Raw: 16 threads, each with its own connection and prepared upsert, each write autocommitted.</summary>
    private sealed class RawWriters : IWriters
    {
        private readonly List<(SqliteConnection Connection, SqliteCommand Upsert)> _writers = [];
        private readonly byte[] _value = JsonSerializer.SerializeToUtf8Bytes(Sample.Create(), Sample.TypeInfo);

        public RawWriters(string path)
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
            for (var w = 0; w < Writers; w++)
            {
                var connection = new SqliteConnection(connectionString);
                connection.Open();
                Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;");
                if (w == 0)
                {
                    Execute(connection, SqliteSql.CreateRecordsTable);
                    Execute(connection, SqliteSql.CreateGuildFloorsTable);
                }

                var upsert = connection.CreateCommand();
                upsert.CommandText = SqliteSql.SetAny;
                upsert.Parameters.AddWithValue("$scope", (long)Scope.Agent);
                upsert.Parameters.AddWithValue("$guild", Sample.GuildId);
                upsert.Parameters.AddWithValue("$agent", "writer-" + w.ToString(CultureInfo.InvariantCulture));
                upsert.Parameters.AddWithValue("$key", Sample.Key);
                upsert.Parameters.AddWithValue("$value", _value);
                upsert.Prepare();
                _writers.Add((connection, upsert));
            }
        }

        public Task<Run> RunAsync(double seconds)
        {
            var stats = new Stats();
            var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            var start = Stopwatch.GetTimestamp();
            var threads = _writers.Select(writer => new Thread(() =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    var began = Stopwatch.GetTimestamp();
                    try
                    {
                        using var reader = writer.Upsert.ExecuteReader();
                        reader.Read();
                        stats.Wrote(Stopwatch.GetElapsedTime(began));
                    }
                    catch (SqliteException)
                    {
                        stats.Failed();
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            return Task.FromResult(stats.Result(Stopwatch.GetElapsedTime(start).TotalSeconds));
        }

        public ValueTask DisposeAsync()
        {
            foreach (var (connection, upsert) in _writers)
            {
                upsert.Dispose();
                connection.Dispose();
            }

            return ValueTask.CompletedTask;
        }

        private static void Execute(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    private sealed class Stats
    {
        private readonly Lock _gate = new();
        private long _writes;
        private long _failed;
        private TimeSpan _longest;

        public void Wrote(TimeSpan waited)
        {
            lock (_gate)
            {
                _writes++;
                _longest = waited > _longest ? waited : _longest;
            }
        }

        public void Failed()
        {
            lock (_gate)
            {
                _failed++;
            }
        }

        public Run Result(double seconds) => new(_writes, seconds, _longest, _failed);
    }

    private sealed class BenchDirectory : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("typedstate-writers-").FullName;

        public string File(string name) => Path.Combine(_path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(_path, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }
}
