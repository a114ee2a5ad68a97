using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TypedState.Storage;

namespace TypedState.InMemory;

/// <summary>
/// A fast, non-persistent driver for tests and prototypes. Reads are lock-free; batches are applied under one
/// lock so that every batch is atomic with respect to every other.
/// </summary>
public sealed class InMemoryStateDriver : IStateDriver
{
    private readonly ConcurrentDictionary<StateOwner, ConcurrentDictionary<string, Slot>> _owners = new();
    private readonly Lock _writeGate = new();

    /// <inheritdoc />
    public string Name => "in-memory";

    /// <inheritdoc />
    public ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_owners.TryGetValue(owner, out var records) && records.TryGetValue(key, out var slot) && slot.Value is { } value)
        {
            return new ValueTask<StoredRecord?>(new StoredRecord(key, value, slot.Version));
        }

        return new ValueTask<StoredRecord?>((StoredRecord?)null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_owners.TryGetValue(owner, out var records))
        {
            yield break;
        }

        var matches = new List<StoredRecord>();
        foreach (var (key, slot) in records)
        {
            if (slot.Value is { } value && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                matches.Add(new StoredRecord(key, value, slot.Version));
            }
        }

        matches.Sort(static (a, b) => StateKeyOrder.Comparer.Compare(a.Key, b.Key));
        foreach (var record in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            // Check every condition first; apply only when all hold.
            for (var i = 0; i < writes.Count; i++)
            {
                var live = LiveVersion(writes[i]);
                if (!writes[i].IsSatisfiedBy(live))
                {
                    return ValueTask.FromResult(CommitResult.Conflict(i, live));
                }
            }

            var versions = new long[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                var records = _owners.GetOrAdd(write.Owner, static _ => new ConcurrentDictionary<string, Slot>(StringComparer.Ordinal));
                records.TryGetValue(write.Key, out var current);
                switch (write.Kind)
                {
                    case StateWriteKind.Set:
                        var version = (current?.Version ?? 0) + 1;
                        records[write.Key] = new Slot(write.Value, version);
                        versions[i] = version;
                        break;
                    case StateWriteKind.Delete:
                        if (current?.Value is not null)
                        {
                            // A tombstone keeps the version so that a re-created key never reuses an old version.
                            records[write.Key] = new Slot(null, current.Version + 1);
                            versions[i] = current.Version;
                        }

                        break;
                    default:
                        versions[i] = current?.Value is null ? 0 : current.Version;
                        break;
                }
            }

            return ValueTask.FromResult(CommitResult.Success(versions));
        }
    }

    /// <inheritdoc />
    public ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            _owners.TryRemove(owner, out _);
            if (owner.Scope == Scope.Guild)
            {
                foreach (var candidate in _owners.Keys)
                {
                    if (candidate.Scope == Scope.Agent && candidate.GuildIdOrEmpty == owner.GuildIdOrEmpty)
                    {
                        _owners.TryRemove(candidate, out _);
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private long LiveVersion(StateWrite write) =>
        _owners.TryGetValue(write.Owner, out var records) && records.TryGetValue(write.Key, out var slot) && slot.Value is not null
            ? slot.Version
            : 0;

    /// <summary>One stored record; a null value is a tombstone that only remembers the version.</summary>
    private sealed record Slot(ReadOnlyMemory<byte>? Value, long Version);
}
