namespace TypedState.Storage;

/// <summary>One live record as a driver stores it: the key, the UTF-8 JSON bytes and the record version.</summary>
/// <param name="Key">The record key.</param>
/// <param name="Value">The stored UTF-8 JSON bytes. Callers must not mutate them.</param>
/// <param name="Version">The record version, at least 1.</param>
public readonly record struct StoredRecord(string Key, ReadOnlyMemory<byte> Value, long Version);
