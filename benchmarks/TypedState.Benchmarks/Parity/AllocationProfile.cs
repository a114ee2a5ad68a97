using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// <c>--alloc-profile</c>: where an operation's bytes go, by type. The runtime's AllocationTick event samples one
/// allocation about every 100 KB, with its type; over a few thousand operations the samples' counts, times 100 KB,
/// estimate each type's bytes per operation (±1 sample).
/// </summary>
internal sealed class AllocationProfile : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // AllocationTick_V4: AllocationAmount (uint), AllocationKind, ClrInstanceID, AllocationAmount64, TypeId, TypeName, …
        if (!_recording || eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is not { } payload)
        {
            return;
        }

        var index = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        var amountIndex = eventData.PayloadNames?.IndexOf("AllocationAmount64") ?? -1;
        if (index < 0 || amountIndex < 0)
        {
            return;
        }

        var type = payload[index] as string ?? "?";
        _bytes.AddOrUpdate(type, Convert.ToInt64(payload[amountIndex], CultureInfo.InvariantCulture), (_, sum) => sum + Convert.ToInt64(payload[amountIndex], CultureInfo.InvariantCulture));
    }

    /// <summary>Runs <paramref name="op"/> on <paramref name="side"/> until about 50 MB are allocated, then prints the types.</summary>
    public static void Print(string row, ParitySide side, ParityOp op)
    {
        for (var i = 0; i < 20; i++)
        {
            side.Run(op);
        }

        using var profile = new AllocationProfile();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        profile._recording = true;
        var n = 0;
        while (GC.GetTotalAllocatedBytes() - before < 50_000_000 && n < 200_000)
        {
            side.Run(op);
            n++;
        }

        profile._recording = false;
        var total = GC.GetTotalAllocatedBytes(precise: true) - before;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Allocation profile, {row}: {n} operations, {total / (double)n:F0} B per operation; by type (sampled about every 100 KB, B per operation):"));
        foreach (var (type, bytes) in profile._bytes.OrderByDescending(pair => pair.Value).Take(25))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / (double)n,8:F0}  {type}"));
        }
    }
}
