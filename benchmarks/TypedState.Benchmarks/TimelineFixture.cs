using System.Diagnostics;
using System.Text.Json;
using TypedState.Storage;

namespace TypedState.Benchmarks;

/// <summary>
/// One driver's store holding two guilds with a timeline, seeded once: <see cref="BigGuild"/> with 100,000 records and
/// 100,100 entries, <see cref="SmallGuild"/> with 100 records and 100 entries. The timeline benchmarks fork them, read
/// them as of old sequences and rebuild them; every driver runs the same methods.
/// </summary>
/// <remarks>
/// Seeding commits batches straight through the driver (one atomic batch of up to 1000 writes, each one entry), so
/// 100,000 records take about 100 commits. Each batch first rewrites the hot record (<see cref="HotOwner"/>,
/// <see cref="HotKey"/>), then creates new records: record n is key <c>k{n % 1000}</c> of agent <c>agent-{n / 1000}</c>,
/// so the hot record has a new version every 1000 entries and agent-000's other 999 records are all written by
/// sequence <see cref="OwnerCompleteAt"/>.
/// </remarks>
public sealed class TimelineFixture : IAsyncDisposable
{
    public const string BigGuild = "tl-big";
    public const string SmallGuild = "tl-small";
    public const string HotKey = "hot";
    public const int BigRecords = 100_000;
    public const int SmallRecords = 100;

    /// <summary>A sequence by which agent-000 holds all its records in either guild (it is complete after ~1,002 entries of the big one).</summary>
    public const long OwnerCompleteAt = 2_000;

    private readonly Func<string, long, long, long>? _rawScan;
    private readonly IDisposable? _server;
    private int _forks;

    public TimelineFixture(string name, StateManager manager, Func<string, long, long, long>? rawScan, IDisposable? server)
    {
        Name = name;
        Manager = manager;
        _rawScan = rawScan;
        _server = server;
    }

    public string Name { get; }

    public StateManager Manager { get; }

    /// <summary>Whether the driver keeps timelines at all (Redis does not yet).</summary>
    public bool HasTimelines => Manager.Driver is ITimelineDriver;

    /// <summary>Whether the driver keeps guild snapshots, which <c>RebuildAsync</c> starts from.</summary>
    public bool HasSnapshots => Manager.Driver is ITimelineSnapshotDriver;

    /// <summary>
    /// The driver's own "(step)" comparisons: raw statements that locate where a TypedState figure's time goes (a
    /// driver statement against an alternative), run after the as-of rows.
    /// </summary>
    public List<(string Name, Func<long> Baseline, Func<long> Measured)> Steps { get; } = [];

    /// <summary>Whether the fixture can scan the driver's entry rows without TypedState.</summary>
    public bool HasRawScan => _rawScan is not null;

    public long BigHead { get; private set; }

    public long SmallHead { get; private set; }

    public static StateOwner HotOwner(string guildId) => StateOwner.Agent(guildId, "agent-000");

    /// <summary>Seeds both guilds (their timelines started empty) and returns the seconds the big one took.</summary>
    public double Seed()
    {
        SmallHead = SeedGuild(SmallGuild, SmallRecords, 100);
        var watch = Stopwatch.StartNew();
        BigHead = SeedGuild(BigGuild, BigRecords, 1000);
        return watch.Elapsed.TotalSeconds;
    }

    private long SeedGuild(string guildId, int records, int batchSize)
    {
        Manager.Timelines.StartAsync(guildId).Wait();
        var hot = HotOwner(guildId);
        var created = 0;
        while (created < records - 1)
        {
            var writes = new List<StateWrite>(batchSize) { new(hot, HotKey, StateWriteKind.Set, Value(-created), null) };
            for (; writes.Count < batchSize && created < records - 1; created++)
            {
                var owner = StateOwner.Agent(guildId, $"agent-{created / 1000:D3}");
                writes.Add(new StateWrite(owner, $"k{created % 1000:D3}", StateWriteKind.Set, Value(created), null));
            }

            var result = Manager.Driver.CommitAsync(writes, [], CommitId.None, CancellationToken.None).Wait();
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Seeding {guildId} failed: {result.Failure}.");
            }
        }

        var timeline = Manager.Timelines.GetAsync(guildId).Wait() ?? throw new InvalidOperationException($"{guildId} has no timeline.");
        var held = CountLive(guildId, records);
        if (held != records)
        {
            throw new InvalidOperationException($"{guildId} holds {held} records, not {records}.");
        }

        return timeline.Head;
    }

    /// <summary>The live records of the guild's agents (a listing per agent): the seed's check.</summary>
    private int CountLive(string guildId, int records)
    {
        var count = 0;
        for (var agent = 0; agent <= (records - 1) / 1000; agent++)
        {
            count += Manager.ListRecordsAsync(StateOwner.Agent(guildId, $"agent-{agent:D3}"), string.Empty).ToBlockingEnumerable().Count();
        }

        return count;
    }

    private static byte[] Value(int n)
    {
        var value = Sample.Create();
        value.Count = n;
        return JsonSerializer.SerializeToUtf8Bytes(value, Sample.TypeInfo);
    }

    /// <summary>A live typed read of the big guild's hot record.</summary>
    public long LiveRead() => Manager.GetAsync(HotOwner(BigGuild), HotKey, Sample.TypeInfo).Wait().Version;

    /// <summary>The same record as of <paramref name="sequence"/>.</summary>
    public long AsOfRead(long sequence) => Manager.Timelines.GetAsOfAsync(HotOwner(BigGuild), HotKey, sequence, Sample.TypeInfo).Wait().Version;

    /// <summary>A live listing of agent-000 of the big guild (1,000 records), typed.</summary>
    public long LiveList() => Count(Manager.ListAsync(HotOwner(BigGuild), string.Empty, Sample.TypeInfo));

    /// <summary>The same listing as of <paramref name="sequence"/>.</summary>
    public long ListAsOf(long sequence) => Count(Manager.Timelines.ListAsOfAsync(HotOwner(BigGuild), string.Empty, sequence, Sample.TypeInfo));

    private static long Count(IAsyncEnumerable<StateEntry<Profile>> entries)
    {
        long versions = 0;
        foreach (var entry in entries.ToBlockingEnumerable())
        {
            versions += entry.Version;
        }

        return versions;
    }

    /// <summary>Forks <paramref name="guildId"/> at <paramref name="sequence"/> into a new guild id; returns the fork's id.</summary>
    public string Fork(string guildId, long sequence)
    {
        var forkId = $"{guildId}-fork-{Interlocked.Increment(ref _forks)}";
        Manager.Timelines.ForkAsync(guildId, sequence, forkId).Wait();
        return forkId;
    }

    /// <summary>A typed read of the hot record (a record the fork holds no row of, the first time).</summary>
    public long ReadHot(string guildId) => Manager.GetAsync(HotOwner(guildId), HotKey, Sample.TypeInfo).Wait().Version;

    /// <summary>A typed read of agent-000's record <paramref name="key"/>.</summary>
    public long ReadKey(string guildId, string key) => Manager.GetAsync(HotOwner(guildId), key, Sample.TypeInfo).Wait().Version;

    /// <summary>A set of agent-000's record k001 (inherited from the source, the first time).</summary>
    public long WriteInherited(string guildId) => Manager.SetAsync(HotOwner(guildId), "k001", Sample.Create(), Sample.TypeInfo).Wait();

    /// <summary>Takes the big guild's snapshot at <paramref name="sequence"/>; returns the records it holds.</summary>
    public int Snapshot(long sequence) => Manager.Timelines.SnapshotAsync(BigGuild, sequence).Wait().Owners.Sum(owner => owner.Records.Count);

    /// <summary>Rebuilds the big guild at <paramref name="sequence"/>; returns the records of the state.</summary>
    public int Rebuild(long sequence) => Manager.Timelines.RebuildAsync(BigGuild, sequence).Wait().Owners.Sum(owner => owner.Records.Count);

    /// <summary>Reads the big guild's entry rows in (<paramref name="after"/>, <paramref name="upTo"/>] without TypedState; returns the value bytes read.</summary>
    public long RawScan(long after, long upTo) => _rawScan!(BigGuild, after, upTo);

    /// <summary>The in-memory raw pass: the entries through <c>IGuildTimelines.ReadAsync</c>, value bytes summed.</summary>
    public static long ScanThroughTimelines(StateManager manager, string guildId, long after, long upTo)
    {
        long bytes = 0;
        foreach (var entry in manager.Timelines.ReadAsync(guildId, after).ToBlockingEnumerable())
        {
            if (entry.Sequence > upTo)
            {
                break;
            }

            bytes += entry.Value.Length;
        }

        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        _server?.Dispose();
    }
}
