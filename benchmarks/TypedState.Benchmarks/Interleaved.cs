using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using TypedState.Sqlite;

namespace TypedState.Benchmarks;

/// <summary>
/// The same raw/TypedState pairs as the BenchmarkDotNet classes, measured in alternating blocks (raw, TypedState,
/// TypedState, raw, …) in one process, so that a burst of machine noise hits both sides alike. Each round times one
/// block of each side (about <c>--block-ms</c> each) and yields one ratio; the output gives the median ratio and its
/// spread over the rounds, the ratio of the two sides' fastest blocks (noise only ever adds time, so on a loaded
/// machine this is the steadiest figure), the median time per operation of each side and the bytes each side
/// allocates per operation.
/// </summary>
/// <remarks>
/// Usage: <c>dotnet run -c Release --project benchmarks/TypedState.Benchmarks -- interleaved [--rounds 40] [--block-ms 25] [--filter text] [--aa]</c>;
/// <c>--aa</c> adds A/A rows (a raw side against itself) that show the noise floor of the machine; <c>--cpu</c> times
/// the blocks with the thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>) instead of the wall clock, so that
/// time the thread spends waiting for a core another process holds is not counted (only for in-process, single-thread
/// work such as the serializers: a database round trip is mostly waiting, which CPU time leaves out).
/// </remarks>
public static partial class Interleaved
{
    internal static long s_sink;

    private static bool s_cpuClock;

    /// <summary>Times blocks with the thread's CPU time instead of the wall clock (<c>--cpu</c>), for other commands too.</summary>
    internal static void UseCpuClock(bool cpu) => s_cpuClock = cpu;

    /// <summary>
    /// Times blocks with the whole process's CPU time (Linux <c>CLOCK_PROCESS_CPUTIME_ID</c>): a client's CPU per
    /// operation wherever its continuations run (parity <c>--cpu</c>); the server's time is not in it.
    /// </summary>
    internal static bool ProcessCpuClock { get; set; }

    internal interface IOp
    {
        void Run();
    }

    public static int Run(string[] args)
    {
        if (BenchmarkArguments.Parse(args, "interleaved [--rounds N] [--block-ms MS] [--filter TEXT] [--aa] [--cpu]", "--rounds", "--block-ms", "--filter", "--aa", "--cpu") is not { } options)
        {
            return 2;
        }

        var (rounds, blockMs, aa) = (options.Rounds, options.BlockMs, options.AA);
        s_cpuClock = options.CpuClock;

        Console.WriteLine($"Interleaved raw/TypedState blocks: {rounds} rounds, ~{blockMs.ToString(CultureInfo.InvariantCulture)} ms per block, {(s_cpuClock ? "thread CPU time" : "wall clock")}, .NET {Environment.Version}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        Console.WriteLine("| Comparison | Raw median | TypedState median | Ratio median | Ratio p10–p90 | Ratio min–max | Ratio of best blocks | Raw alloc/op | TypedState alloc/op |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");

        bool Selected(string name) => options.Selected(name);

        foreach (var mode in new[] { SqliteSynchronousMode.Full, SqliteSynchronousMode.Normal })
        {
            var name = $"SQLite set (synchronous {mode.ToString().ToUpperInvariant()})";
            if (Selected(name))
            {
                var fixture = new SqliteFixture(mode);
                Compare(name, new SqliteRawSet(fixture), new SqliteTypedStateSet(fixture), rounds, blockMs);

                // Where the set's time goes: the driver's commit alone, without and with a commit id to remember.
                Compare($"{name} (step): driver commit, no commit id", new SqliteRawSet(fixture), new SqliteDriverCommit(fixture, false), rounds, blockMs);
                Compare($"{name} (step): driver commit with a commit id", new SqliteRawSet(fixture), new SqliteDriverCommit(fixture, true), rounds, blockMs);

                // The guild timeline: the same set with the guild's log off (the "raw" column) and on.
                Compare($"{name} (timeline): set, log off vs on", new SqliteGuildSet(fixture, false), new SqliteGuildSet(fixture, true), rounds, blockMs);
                if (aa)
                {
                    // Two raw stores in two files, as the real comparison has.
                    var other = new SqliteFixture(mode);
                    Compare($"A/A: {name}, raw vs raw", new SqliteRawSet(fixture), new SqliteRawSet(other), rounds, blockMs);
                    other.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }

                fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        if (Selected("SQLite get"))
        {
            var fixture = new SqliteFixture(SqliteSynchronousMode.Full);
            Compare("SQLite get", new SqliteRawGet(fixture), new SqliteTypedStateGet(fixture), rounds, blockMs);
            if (aa)
            {
                var other = new SqliteFixture(SqliteSynchronousMode.Full);
                Compare("A/A: SQLite get, raw vs raw", new SqliteRawGet(fixture), new SqliteRawGet(other), rounds, blockMs);
                other.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        var memory = new InMemoryFixture();
        if (Selected("In-memory typed get"))
        {
            Compare("In-memory typed get", new MemoryRawTyped(memory), new MemoryTypedStateTyped(memory), rounds, blockMs);
            if (aa)
            {
                Compare("A/A: in-memory typed get, raw vs raw", new MemoryRawTyped(memory), new MemoryRawTyped(memory), rounds, blockMs);
            }
        }

        if (Selected("In-memory bytes get"))
        {
            Compare("In-memory bytes get", new MemoryRawBytes(memory), new MemoryTypedStateBytes(memory), rounds, blockMs);
        }

        // Serializers: each pair is STJ (the "raw" column) against TypedState's generated serializer, for a 2.5 KB
        // memory and for the small memory of the product's example. The fixtures are cheap to build and check that
        // every serializer writes and reads the same document.
        CompareSerializers(Serialization.SerializerFixtures.ChatMemory(), options, rounds, blockMs);
        CompareSerializers(Serialization.SerializerFixtures.TopicMemory(), options, rounds, blockMs);
        CompareEncoders(options, rounds, blockMs);
        CompareCorpus(options, rounds, blockMs);

        GC.KeepAlive(s_sink);
        return 0;
    }

    internal static void Compare<TRaw, TTyped>(string name, TRaw raw, TTyped typed, int rounds, double blockMs, bool processAllocations = false)
        where TRaw : struct, IOp
        where TTyped : struct, IOp
    {
        // Warm up both sides past tiered compilation (tier 1 kicks in after ~30 calls plus a 100 ms delay).
        var warmupEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < warmupEnd)
        {
            Time(raw, 50);
            Time(typed, 50);
        }

        // Block size: enough operations of the raw side for about blockMs.
        var n = 1;
        while (Time(raw, n) < blockMs / 1000 * Stopwatch.Frequency / 4 && n < 1 << 26)
        {
            n *= 2;
        }

        n = Math.Max(1, (int)(n * 4 * (blockMs / 1000 * Stopwatch.Frequency) / Math.Max(1, Time(raw, n * 4))));
        var rawTimes = new double[rounds];
        var typedTimes = new double[rounds];
        var ratios = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            // ABBA order: neither side always runs first after the other.
            double a, b;
            if (r % 2 == 0)
            {
                a = Time(raw, n);
                b = Time(typed, n);
            }
            else
            {
                b = Time(typed, n);
                a = Time(raw, n);
            }

            rawTimes[r] = a * 1e9 / Stopwatch.Frequency / n;
            typedTimes[r] = b * 1e9 / Stopwatch.Frequency / n;
            ratios[r] = b / a;
        }

        var rawAlloc = AllocatedPerOp(raw, processAllocations);
        var typedAlloc = AllocatedPerOp(typed, processAllocations);
        Array.Sort(ratios);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {FormatTime(Median(rawTimes))} | {FormatTime(Median(typedTimes))} | {Median(ratios):F2} | {Quantile(ratios, 0.1):F2}–{Quantile(ratios, 0.9):F2} | {ratios[0]:F2}–{ratios[^1]:F2} | {typedTimes.Min() / rawTimes.Min():F2} | {rawAlloc} B | {typedAlloc} B |"));
    }

    /// <summary>Runs <see cref="Compare"/> when the row's name is selected; returns whether it ran.</summary>
    private static bool CompareSelected<TRaw, TTyped>(string name, TRaw raw, TTyped typed, BenchmarkArguments options, int rounds, double blockMs)
        where TRaw : struct, IOp
        where TTyped : struct, IOp
    {
        if (!options.Selected(name))
        {
            return false;
        }

        Compare(name, raw, typed, rounds, blockMs);
        return true;
    }

    private static long Time<T>(T op, int n)
        where T : struct, IOp
    {
        var start = Now();
        for (var i = 0; i < n; i++)
        {
            op.Run();
        }

        return Now() - start;
    }

    /// <summary>The clock blocks are timed with, in <see cref="Stopwatch"/> ticks.</summary>
    private static long Now()
    {
        if (!s_cpuClock && !ProcessCpuClock)
        {
            return Stopwatch.GetTimestamp();
        }

        if (ClockGetTime(ProcessCpuClock ? ProcessCpuTimeClock : ThreadCpuTimeClock, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed; --cpu needs Linux.");
        }

        var nanoseconds = (time.Seconds * 1_000_000_000) + time.Nanoseconds;
        return Stopwatch.Frequency == 1_000_000_000 ? nanoseconds : (long)(nanoseconds * (Stopwatch.Frequency / 1e9));
    }

    private const int ThreadCpuTimeClock = 3;

    private const int ProcessCpuTimeClock = 2;

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>
    /// Bytes allocated per operation by the calling thread, or, with <paramref name="process"/>, by the whole process
    /// (for network drivers, whose replies are processed on other threads; includes any background allocation).
    /// </summary>
    private static long AllocatedPerOp<T>(T op, bool process = false)
        where T : struct, IOp
    {
        var n = process ? 200 : 1000;
        var before = process ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
        Time(op, n);
        var after = process ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
        return (long)Math.Round((after - before) / (double)n);
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return Quantile(sorted, 0.5);
    }

    internal static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    private static string FormatTime(double nanoseconds) => nanoseconds >= 10_000
        ? string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1000:F1} µs")
        : string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:F1} ns");

    private readonly struct SqliteRawSet(SqliteFixture fixture) : IOp
    {
        public void Run() => s_sink += fixture.RawSet();
    }

    private readonly struct SqliteTypedStateSet(SqliteFixture fixture) : IOp
    {
        public void Run() => s_sink += fixture.TypedStateSet();
    }

    private readonly struct SqliteDriverCommit(SqliteFixture fixture, bool withCommitId) : IOp
    {
        public void Run() => s_sink += fixture.DriverCommit(withCommitId);
    }

    private readonly struct SqliteGuildSet(SqliteFixture fixture, bool timeline) : IOp
    {
        public void Run() => s_sink += fixture.GuildSet(timeline);
    }

    private readonly struct SqliteRawGet(SqliteFixture fixture) : IOp
    {
        public void Run() => s_sink += fixture.RawGet()!.Count;
    }

    private readonly struct SqliteTypedStateGet(SqliteFixture fixture) : IOp
    {
        public void Run() => s_sink += fixture.TypedStateGet()!.Count;
    }

    private readonly struct MemoryRawTyped(InMemoryFixture fixture) : IOp
    {
        public void Run() => s_sink += fixture.RawTypedGet()!.Count;
    }

    private readonly struct MemoryTypedStateTyped(InMemoryFixture fixture) : IOp
    {
        public void Run() => s_sink += fixture.TypedStateTypedGet()!.Count;
    }

    private readonly struct MemoryRawBytes(InMemoryFixture fixture) : IOp
    {
        public void Run() => s_sink += fixture.RawBytesGet()!.Length;
    }

    private readonly struct MemoryTypedStateBytes(InMemoryFixture fixture) : IOp
    {
        public void Run() => s_sink += fixture.TypedStateBytesGet()!.Value.Value.Length;
    }

    private static void CompareSerializers<T>(Serialization.SerializerFixture<T> serializer, BenchmarkArguments options, int rounds, double blockMs)
        where T : class, IStateType<T>
    {
        var rows = false;
        void Row<TRaw, TTyped>(string comparison, TRaw raw, TTyped typed)
            where TRaw : struct, IOp
            where TTyped : struct, IOp =>
            rows |= CompareSelected($"{comparison} ({serializer.Name})", raw, typed, options, rounds, blockMs);

        Row("Serialize: STJ reflection vs TypedState", new SerializeReflection<T>(serializer), new SerializeTypedState<T>(serializer));
        Row("Serialize: STJ source-gen metadata vs TypedState", new SerializeMetadata<T>(serializer), new SerializeTypedState<T>(serializer));
        Row("Serialize: STJ source-gen fast path vs TypedState", new SerializeFastPath<T>(serializer), new SerializeTypedState<T>(serializer));
        Row("Deserialize: STJ reflection vs TypedState", new DeserializeReflection<T>(serializer), new DeserializeTypedState<T>(serializer));
        Row("Deserialize: STJ source-gen vs TypedState", new DeserializeMetadata<T>(serializer), new DeserializeTypedState<T>(serializer));

        // Steps: how much of TypedState's time is JsonSerializer and the converter around the generated code.
        Row("Serialize step: generated writer direct vs StateSchema.Serialize", new SerializeGeneratedWriter<T>(serializer), new SerializeTypedState<T>(serializer));
        Row("Deserialize step: generated reader direct vs StateSchema.Deserialize", new DeserializeGeneratedReader<T>(serializer), new DeserializeTypedState<T>(serializer));
        // For scale: how much faster STJ's own fastest path is than its reflection path on the same type.
        Row("Scale: serialize, STJ reflection vs STJ source-gen fast path", new SerializeReflection<T>(serializer), new SerializeFastPath<T>(serializer));
        if (options.AA)
        {
            Row("A/A: serialize, STJ source-gen fast path vs itself", new SerializeFastPath<T>(serializer), new SerializeFastPath<T>(serializer));
        }

        if (rows)
        {
            Console.WriteLine();
            Console.WriteLine($"Serializer documents ({serializer.Name}): TypedState {serializer.TypedStateDocument.Length} B (with \"$version\":1), System.Text.Json {serializer.StjDocument.Length} B; \"Raw\" is the System.Text.Json side.");
            Console.WriteLine();
        }
    }

    private readonly struct SerializeReflection<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.ReflectionSerialize().Length;
    }

    private readonly struct SerializeMetadata<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.MetadataSerialize().Length;
    }

    private readonly struct SerializeFastPath<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.FastPathSerialize().Length;
    }

    private readonly struct SerializeTypedState<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.TypedStateSerialize().Length;
    }

    private readonly struct SerializeGeneratedWriter<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.GeneratedWriterSerialize().Length;
    }

    private readonly struct DeserializeGeneratedReader<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.GeneratedReaderDeserialize().GetHashCode();
    }

    private readonly struct DeserializeReflection<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.ReflectionDeserialize().GetHashCode();
    }

    private readonly struct DeserializeMetadata<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.MetadataDeserialize().GetHashCode();
    }

    private readonly struct DeserializeTypedState<T>(Serialization.SerializerFixture<T> fixture) : IOp
        where T : class, IStateType<T>
    {
        public void Run() => s_sink += fixture.TypedStateDeserialize().GetHashCode();
    }
}
