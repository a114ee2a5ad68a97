using System.Diagnostics;
using System.Globalization;
using static TypedState.Benchmarks.Interleaved;

namespace TypedState.Benchmarks;

/// <summary>
/// <c>timeline</c>: the guild timeline's costs on every driver that keeps timelines, each against a baseline measured
/// in the same run (<see cref="TimelineFixture"/> seeds the guilds once per driver):
/// <list type="number">
/// <item>as-of reads: the hot record as of an early sequence (100 later versions of it, 100,000 later entries in all)
/// against the same live read; a whole agent's listing as of a sequence against the live listing (interleaved);</item>
/// <item>fork: the 100,000-record guild against the 100-record one, at the head and at a tenth of it (interleaved);</item>
/// <item>the first read and the first write on a fresh fork of each guild, then the second ones (alternated rounds);</item>
/// <item>rebuild: <c>RebuildAsync</c> from a snapshot at half the head plus the entries after it, in entries per
/// second, beside a raw scan of the same entry rows (alternated rounds; drivers that keep snapshots).</item>
/// </list>
/// Usage: <c>timeline [--driver NAME] [--rounds 40] [--block-ms 25] [--filter TEXT] [--aa]</c>; <c>--filter</c> keeps the
/// rows whose name contains the text ("as-of", "ListAsOf", "step", "rebuild", "fork", "first read", a driver's name).
/// </summary>
public static class TimelineBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        const string usage = "timeline [--driver NAME] [--rounds N] [--block-ms MS] [--filter TEXT] [--aa]";
        if (BenchmarkArguments.Parse(args, usage, "--driver", "--rounds", "--block-ms", "--filter", "--aa") is not { } options)
        {
            return 2;
        }

        Console.WriteLine($"{options.Rounds} rounds, ~{options.BlockMs.ToString(CultureInfo.InvariantCulture)} ms per block, .NET {Environment.Version}, {Environment.ProcessorCount} CPUs");
        foreach (var (name, create) in TimelineDrivers.All)
        {
            if (options.Driver is { } only && !name.Equals(only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            await using var fixture = await create();
            Console.WriteLine();
            Console.WriteLine($"## {name}");
            if (!fixture.HasTimelines)
            {
                Console.WriteLine($"Skipped: the {name} driver does not implement ITimelineDriver yet.");
                continue;
            }

            var seconds = fixture.Seed();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded: {TimelineFixture.BigGuild} head {fixture.BigHead} ({TimelineFixture.BigRecords} records) in {seconds:F1} s; {TimelineFixture.SmallGuild} head {fixture.SmallHead} ({TimelineFixture.SmallRecords} records)."));
            Run(fixture, options);
        }

        GC.KeepAlive(s_sink);
        return 0;
    }

    private static void Run(TimelineFixture fixture, BenchmarkArguments options)
    {
        var (rounds, blockMs) = (options.Rounds, options.BlockMs);
        var name = fixture.Name;

        // Each row runs when --filter is absent or its full name contains the filter text.
        void Row(string comparison, Func<long> baseline, Func<long> measured, bool aa = false)
        {
            if ((!aa || options.AA) && options.Selected(comparison))
            {
                Compare(comparison, new Op(baseline), new Op(measured), rounds, blockMs, processAllocations: true);
            }
        }

        TableHeader();
        var middle = fixture.BigHead / 2;
        Row($"{name} as-of read: live GetAsync vs GetAsOfAsync at sequence 1", fixture.LiveRead, () => fixture.AsOfRead(1));
        Row($"{name} as-of read: live GetAsync vs GetAsOfAsync at sequence {middle}", fixture.LiveRead, () => fixture.AsOfRead(middle));
        Row($"A/A: {name} live GetAsync vs itself", fixture.LiveRead, fixture.LiveRead, aa: true);
        Row($"{name} ListAsOf: live ListAsync vs ListAsOfAsync of agent-000 (1,001 records) at sequence {TimelineFixture.OwnerCompleteAt}", fixture.LiveList, () => fixture.ListAsOf(TimelineFixture.OwnerCompleteAt));
        foreach (var (step, baseline, measured) in fixture.Steps)
        {
            if (options.Selected($"(step) {name} {step}") && baseline() != measured())
            {
                Console.WriteLine($"| (step) {name} {step}: skipped, the two sides return different rows | | | | | | | | |");
                continue;
            }

            Row($"(step) {name} {step}", baseline, measured);
        }

        // Before the forks, which add thousands of timelines to the store.
        if (options.Selected($"{name} rebuild"))
        {
            Rebuild(fixture, rounds);
        }

        if (options.Selected($"{name} fork"))
        {
            TableHeader();
        }

        Row($"{name} fork at the head: 100-record guild vs 100,000-record guild", () => Forked(fixture, TimelineFixture.SmallGuild, fixture.SmallHead), () => Forked(fixture, TimelineFixture.BigGuild, fixture.BigHead));
        Row($"{name} fork at a tenth of the head: 100-record guild vs 100,000-record guild", () => Forked(fixture, TimelineFixture.SmallGuild, fixture.SmallHead / 10), () => Forked(fixture, TimelineFixture.BigGuild, fixture.BigHead / 10));
        Row($"A/A: {name} fork of the 100-record guild vs itself", () => Forked(fixture, TimelineFixture.SmallGuild, fixture.SmallHead), () => Forked(fixture, TimelineFixture.SmallGuild, fixture.SmallHead), aa: true);
        if (options.Selected($"{name} fork: first read and write"))
        {
            FirstReadAndWrite(fixture, rounds);
        }
    }

    private static void TableHeader()
    {
        Console.WriteLine();
        Console.WriteLine("| Comparison | Baseline median | Measured median | Ratio median | Ratio p10–p90 | Ratio min–max | Ratio of best blocks | Baseline alloc/op | Measured alloc/op |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    }

    private static long Forked(TimelineFixture fixture, string guildId, long sequence) => fixture.Fork(guildId, sequence).Length;

    /// <summary>
    /// Fresh forks at the head of each guild, in alternation: the first read of a record the fork holds no row of (the
    /// hot record, read through the source), the same read again, the read of another record it holds no row of (a
    /// first read that comes after another read rather than after the fork's write), the first write of an inherited record, the same
    /// write again; a live read of the source's hot record for scale.
    /// </summary>
    private static void FirstReadAndWrite(TimelineFixture fixture, int rounds)
    {
        string[] steps = ["fork", "first read", "second read", "first read of another inherited record", "first write", "second write", "read of another inherited record after the writes", "source live read"];
        var times = new Dictionary<string, double[][]>
        {
            [TimelineFixture.SmallGuild] = [.. steps.Select(_ => new double[rounds])],
            [TimelineFixture.BigGuild] = [.. steps.Select(_ => new double[rounds])],
        };

        void Once(string guildId, long head, int round)
        {
            var row = times[guildId];
            var fork = string.Empty;
            row[0][round] = Measure(() => fork = fixture.Fork(guildId, head));
            row[1][round] = Measure(() => s_sink += fixture.ReadHot(fork));
            row[2][round] = Measure(() => s_sink += fixture.ReadHot(fork));
            row[3][round] = Measure(() => s_sink += fixture.ReadKey(fork, "k002"));
            row[4][round] = Measure(() => s_sink += fixture.WriteInherited(fork));
            row[5][round] = Measure(() => s_sink += fixture.WriteInherited(fork));
            row[6][round] = Measure(() => s_sink += fixture.ReadKey(fork, "k003"));
            row[7][round] = Measure(() => s_sink += fixture.ReadHot(guildId));
        }

        // Two warm-up rounds each, then ABBA.
        for (var r = 0; r < rounds + 2; r++)
        {
            var round = Math.Max(0, r - 2);
            if (r % 2 == 0)
            {
                Once(TimelineFixture.SmallGuild, fixture.SmallHead, round);
                Once(TimelineFixture.BigGuild, fixture.BigHead, round);
            }
            else
            {
                Once(TimelineFixture.BigGuild, fixture.BigHead, round);
                Once(TimelineFixture.SmallGuild, fixture.SmallHead, round);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{fixture.Name} fork: first read and write on a fresh fork at the head, each step timed once per round, {rounds} rounds; median (p10–p90)");
        Console.WriteLine();
        Console.WriteLine("| Step | Fork of the 100-record guild | Fork of the 100,000-record guild | Ratio of medians |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var i = 0; i < steps.Length; i++)
        {
            var small = Sorted(times[TimelineFixture.SmallGuild][i]);
            var big = Sorted(times[TimelineFixture.BigGuild][i]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {steps[i]} | {Spread(small)} | {Spread(big)} | {Quantile(big, 0.5) / Quantile(small, 0.5):F2} |"));
        }
    }

    /// <summary>
    /// <c>RebuildAsync</c> of the big guild at its head from a snapshot at half the head (the entries after it replayed),
    /// and at the snapshot's own sequence (the snapshot alone), alternated with a raw scan of the same entry rows.
    /// </summary>
    private static void Rebuild(TimelineFixture fixture, int rounds)
    {
        if (!fixture.HasSnapshots)
        {
            Console.WriteLine();
            Console.WriteLine($"{fixture.Name} rebuild: skipped, the driver does not implement ITimelineSnapshotDriver yet.");
            return;
        }

        var head = fixture.BigHead;
        var snapshotAt = head / 2;
        var watch = Stopwatch.StartNew();
        var inSnapshot = fixture.Snapshot(snapshotAt);
        var snapshotSeconds = watch.Elapsed.TotalSeconds;
        var entries = head - snapshotAt;
        rounds = Math.Max(3, rounds / 4);
        var (rebuild, baseOnly, scan) = (new double[rounds], new double[rounds], new double[rounds]);
        for (var r = -1; r < rounds; r++)
        {
            // Round -1 warms up; ABBA between the rebuild and the scan.
            var (a, b, c) = (0.0, 0.0, 0.0);
            if (r % 2 == 0)
            {
                a = Measure(() => s_sink += fixture.Rebuild(head));
                b = Measure(() => s_sink += fixture.Rebuild(snapshotAt));
                c = fixture.HasRawScan ? Measure(() => s_sink += fixture.RawScan(snapshotAt, head)) : 0;
            }
            else
            {
                c = fixture.HasRawScan ? Measure(() => s_sink += fixture.RawScan(snapshotAt, head)) : 0;
                b = Measure(() => s_sink += fixture.Rebuild(snapshotAt));
                a = Measure(() => s_sink += fixture.Rebuild(head));
            }

            if (r >= 0)
            {
                (rebuild[r], baseOnly[r], scan[r]) = (a, b, c);
            }
        }

        var (full, only, raw) = (Sorted(rebuild), Sorted(baseOnly), Sorted(scan));
        var replay = Quantile(full, 0.5) - Quantile(only, 0.5);
        string Rate(double[] sorted, double q) => string.Create(CultureInfo.InvariantCulture, $"{entries / Quantile(sorted, q) * 1e9:N0}");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fixture.Name} rebuild of {TimelineFixture.BigGuild} at head {head}: snapshot at {snapshotAt} ({inSnapshot} records, taken in {snapshotSeconds:F2} s), {entries} entries after it, {rounds} rounds; median (p10–p90)"));
        Console.WriteLine();
        Console.WriteLine("| Step | Time | Entries per second (median, slowest–fastest round) |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| RebuildAsync at the head (snapshot + entries) | {Spread(full)} | {Rate(full, 0.5)} ({Rate(full, 1)}–{Rate(full, 0)}) |");
        Console.WriteLine($"| RebuildAsync at the snapshot (snapshot alone) | {Spread(only)} | |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Replay alone (difference of the medians) | {Time(replay)} | {entries / replay * 1e9:N0} |"));
        Console.WriteLine(fixture.HasRawScan
            ? $"| Raw scan of the same entry rows | {Spread(raw)} | {Rate(raw, 0.5)} ({Rate(raw, 1)}–{Rate(raw, 0)}) |"
            : "| Raw scan | none for this driver yet | |");
        if (fixture.HasRawScan)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Ratio of medians: rebuild / raw scan; replay alone / raw scan | {Quantile(full, 0.5) / Quantile(raw, 0.5):F2}; {replay / Quantile(raw, 0.5):F2} | |"));
        }
    }

    private static double Measure(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return (Stopwatch.GetTimestamp() - start) * 1e9 / Stopwatch.Frequency;
    }

    private static double[] Sorted(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted;
    }

    private static string Spread(double[] sorted) =>
        $"{Time(Quantile(sorted, 0.5))} ({Time(Quantile(sorted, 0.1))}–{Time(Quantile(sorted, 0.9))})";

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        >= 10_000_000 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:F1} ms"),
        >= 10_000 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1000:F1} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:F0} ns"),
    };

    private readonly struct Op(Func<long> run) : IOp
    {
        public void Run() => s_sink += run();
    }
}
