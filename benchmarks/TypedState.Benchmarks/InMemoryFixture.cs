using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.Benchmarks;

/// <summary>
/// The in-memory store of TypedState and a plain <c>ConcurrentDictionary&lt;string, byte[]&gt;</c> holding the same
/// bytes under the bare key (the cheapest possible baseline: no owner in the key).
/// </summary>
public sealed class InMemoryFixture
{
    private readonly InMemoryStateDriver _driver = new();
    private readonly StateManager _manager;
    private readonly ConcurrentDictionary<string, byte[]> _raw = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<StateOwner, ConcurrentDictionary<string, byte[]>> _rawByOwner = new();

    public InMemoryFixture()
    {
        _manager = new StateManager(_driver);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(Sample.Create(), Sample.TypeInfo);
        _raw[Sample.Key] = bytes;
        _rawByOwner.GetOrAdd(Sample.Owner, _ => new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal))[Sample.Key] = bytes;
        _manager.SetAsync(Sample.Owner, Sample.Key, Sample.Create(), Sample.TypeInfo).Wait();
        if (!TypedStateBytesGet()!.Value.Value.Span.SequenceEqual(bytes) || !DriverBytesGet()!.Value.Value.Span.SequenceEqual(bytes)
            || RawByOwnerBytesGet() != bytes || TypedStateTypedGet()!.Name != RawTypedGet()!.Name)
        {
            throw new InvalidOperationException("The raw and TypedState stores disagree.");
        }
    }

    /// <summary>Raw typed get: dictionary lookup, then deserialize with the same JsonTypeInfo.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? RawTypedGet() =>
        _raw.TryGetValue(Sample.Key, out var bytes) ? JsonSerializer.Deserialize(bytes, Sample.TypeInfo) : null;

    /// <summary>TypedState typed get: <c>GetAsync&lt;T&gt;</c> (validation, telemetry check, driver read, deserialization).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? TypedStateTypedGet() => _manager.GetAsync(Sample.Owner, Sample.Key, Sample.TypeInfo).Wait().Value;

    /// <summary>Raw bytes get: one dictionary lookup.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[]? RawBytesGet() => _raw.TryGetValue(Sample.Key, out var bytes) ? bytes : null;

    /// <summary>TypedState bytes get: <c>StateManager.GetRecordAsync</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StoredRecord? TypedStateBytesGet() => _manager.GetRecordAsync(Sample.Owner, Sample.Key).Wait();

    /// <summary>Breakdown: a raw store keyed by owner, then key (the shape of the in-memory driver's maps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[]? RawByOwnerBytesGet() =>
        _rawByOwner.TryGetValue(Sample.Owner, out var records) && records.TryGetValue(Sample.Key, out var bytes) ? bytes : null;

    /// <summary>Breakdown: the in-memory driver's ReadAsync alone, without the manager.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public StoredRecord? DriverBytesGet() => _driver.ReadAsync(Sample.Owner, Sample.Key, CancellationToken.None).Wait();
}
