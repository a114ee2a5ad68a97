using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedState.Observability;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState;

/// <summary>
/// The core's transaction: a buffer of reads and writes turned into one atomic conditional batch at commit.
/// Every record read or listed becomes a version check and every write carries the version it was based on, so a
/// concurrent change to anything the transaction saw makes the commit fail instead of being overwritten. Key ranges
/// are not checked: the driver seam has no range check, so a record added under a listed prefix goes unnoticed.
/// </summary>
internal sealed partial class StateTransaction : IStateTransaction
{
    // Up to this many records a lookup scans the records in order; past it, a dictionary finds them.
    private const int ScannedRecords = 16;

    private static readonly Func<(StateTransaction Transaction, Batch Batch), CommitResult, TransactionCommit> s_committed =
        static (state, result) => state.Transaction.Committed(state.Batch, result);

    private readonly StateManager _manager;
    // The records touched, in order (rented from the manager's spare records, given back when the transaction ends).
    private Records _records;
    private bool _listed;
    private Dictionary<(StateOwner Owner, string Key), Pending>? _entries;
    private List<StateWrite>? _appends;
    private string? _endedAs;

    public StateTransaction(StateManager manager)
    {
        _manager = manager;
        _records = Records.Rent(manager);
    }

    public JsonSerializerOptions SerializerOptions => _manager.SerializerOptions;

    public bool IsActive => _endedAs is null;

    public async ValueTask<StateEntry<T>> GetAsync<T>(StateOwner owner, string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        _manager.ValidateKey(owner, key);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var pending = await ObserveAsync(owner, key, cancellationToken).ConfigureAwait(false);
        return pending.Write switch
        {
            StateWriteKind.Set => new StateEntry<T>(key, true, _manager.Deserialize(owner, key, pending.WriteBytes, pending.BaseVersion, typeInfo), pending.BaseVersion),
            StateWriteKind.Delete => new StateEntry<T>(key, false, default, 0),
            _ when pending.ReadVersion > 0 => new StateEntry<T>(key, true, _manager.Deserialize(owner, key, pending.ReadBytes, pending.ReadVersion, typeInfo), pending.ReadVersion),
            _ => new StateEntry<T>(key, false, default, 0),
        };
    }

    public ValueTask<long> SetAsync<T>(StateOwner owner, string key, T value, JsonTypeInfo<T> typeInfo, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        cancellationToken.ThrowIfCancellationRequested();
        _manager.ValidateKey(owner, key);
        StateManager.ValidateExpectedVersion(expectedVersion);
        var bytes = _manager.Serialize(owner, key, value, typeInfo);
        if (expectedVersion is null && StateSchema.Behind(typeInfo) is { } schema)
        {
            return SetOverAsync(owner, key, bytes, schema, cancellationToken);
        }

        return Buffer(owner, key, bytes, expectedVersion);
    }

    /// <summary>Buffers a set of <paramref name="bytes"/>, conditional on what the transaction saw or was told.</summary>
    private ValueTask<long> Buffer(StateOwner owner, string key, byte[] bytes, long? expectedVersion)
    {
        var pending = GetOrAdd(owner, key);
        Expect(pending, expectedVersion);
        pending.Write = StateWriteKind.Set;
        pending.WriteBytes = bytes;
        return ValueTask.FromResult(0L);
    }

    /// <summary>
    /// A state type's value set without an expected version: the record is read first (so the commit checks it is
    /// unchanged) and a record written by a newer build is refused rather than downgraded.
    /// </summary>
    private async ValueTask<long> SetOverAsync(StateOwner owner, string key, byte[] bytes, StateSchema schema, CancellationToken cancellationToken)
    {
        var pending = await ObserveAsync(owner, key, cancellationToken).ConfigureAwait(false);
        if (pending.Write is null && pending.ReadVersion > 0)
        {
            schema.EnsureNotNewer(pending.ReadBytes.Span, owner, key);
        }

        pending.Write = StateWriteKind.Set;
        pending.WriteBytes = bytes;
        return 0L;
    }

    public async ValueTask<bool> DeleteAsync(StateOwner owner, string key, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        _manager.ValidateKey(owner, key);
        StateManager.ValidateExpectedVersion(expectedVersion);

        // Reading first makes the delete conditional on what the transaction saw, and answers "did it exist".
        var pending = await ObserveAsync(owner, key, cancellationToken).ConfigureAwait(false);
        var existed = pending.Write switch
        {
            StateWriteKind.Set => true,
            StateWriteKind.Delete => false,
            _ => pending.ReadVersion > 0,
        };
        Expect(pending, expectedVersion);
        pending.Write = StateWriteKind.Delete;
        pending.WriteBytes = ReadOnlyMemory<byte>.Empty;
        return existed;
    }

    public async IAsyncEnumerable<StateEntry<T>> ListAsync<T>(StateOwner owner, string prefix, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnsureActive();
        ArgumentNullException.ThrowIfNull(typeInfo);
        _manager.ValidatePrefix(owner, prefix);

        // What this transaction already knows under the prefix (its writes and its reads) wins over the store,
        // so the listing agrees with GetAsync; both sources are merged in key order.
        var known = _records.Order
            .Where(p => p.Owner == owner && p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(p => p.Key, StateKeyOrder.Comparer)
            .ToList();
        var next = 0;

        // A listing holds records (known) for as long as it is enumerated: they are not reused when the transaction ends.
        _listed = true;
        await foreach (var record in _manager.ListRecordsAsync(owner, prefix, cancellationToken).ConfigureAwait(false))
        {
            while (next < known.Count && StateKeyOrder.Comparer.Compare(known[next].Key, record.Key) < 0)
            {
                if (View(known[next++], typeInfo) is { } earlier)
                {
                    yield return earlier;
                }
            }

            if (next < known.Count && known[next].Key == record.Key)
            {
                if (View(known[next++], typeInfo) is { } same)
                {
                    yield return same;
                }

                continue;
            }

            // First sight of this record: remember it as read, so the commit checks it is unchanged.
            GetOrAdd(owner, record.Key).MarkRead(record.Value, record.Version);
            yield return _manager.ToEntry(owner, record, typeInfo);
        }

        while (next < known.Count)
        {
            if (View(known[next++], typeInfo) is { } later)
            {
                yield return later;
            }
        }
    }

    public string Append<TEvent>(StateOwner owner, TEvent domainEvent, JsonTypeInfo<TEvent> typeInfo, string? eventId = null)
    {
        EnsureActive();
        var write = GuildTimelines.AppendWrite(_manager, owner, domainEvent, typeInfo, eventId);
        _appends ??= [];
        if (_appends.Any(appended => appended.Owner.GuildIdOrEmpty == owner.GuildIdOrEmpty && appended.Key == write.Key))
        {
            // The same id twice stores one event; within one batch, the first is the one.
            return write.Key;
        }

        _appends.Add(write);
        return write.Key;
    }

    /// <remarks>
    /// Not an async method of its own: the batch is built here and the manager's commit state machine is returned,
    /// which ends with <see cref="Committed"/>; an error before the commit is returned in the task.
    /// </remarks>
    public ValueTask<TransactionCommit> CommitAsync(CancellationToken cancellationToken = default)
    {
        Batch batch;
        try
        {
            EnsureActive();
            batch = BuildBatch();
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TransactionCommit>(ex);
        }

        // Whatever the outcome, a transaction commits once: after a conflict the caller starts a new one.
        _endedAs = "through a failed commit";
        if (batch.Count == 0)
        {
            _endedAs = "committed";
            return new ValueTask<TransactionCommit>(TransactionCommit.Empty);
        }

        return _manager.CommitAsync("commit", batch, (this, batch), s_committed, cancellationToken);
    }

    /// <summary>The result of a batch the store applied; the transaction has committed.</summary>
    private TransactionCommit Committed(Batch batch, CommitResult result)
    {
        StateLog.TransactionCommitted(_manager.Logger, batch.Count);
        var committed = TransactionCommit.From(batch, result);
        _endedAs = "committed";
        ReleaseRecords();
        return committed;
    }

    public ValueTask RollbackAsync(CancellationToken cancellationToken = default)
    {
        EnsureActive();
        End("rolled back");
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        if (IsActive)
        {
            End("disposed");
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void End(string how)
    {
        _endedAs = how;
        if (_records.Order.Count > 0)
        {
            StateLog.TransactionRolledBack(_manager.Logger, _records.Order.Count);
        }

        _entries = null;
        _appends?.Clear();
        ReleaseRecords();
    }

    /// <summary>The transaction's view of a record it wrote or read; null when that view is "absent".</summary>
    private StateEntry<T>? View<T>(Pending pending, JsonTypeInfo<T> typeInfo) => pending.Write switch
    {
        StateWriteKind.Set => new StateEntry<T>(pending.Key, true, _manager.Deserialize(pending.Owner, pending.Key, pending.WriteBytes, pending.BaseVersion, typeInfo), pending.BaseVersion),
        StateWriteKind.Delete => null,
        _ when pending.ReadVersion > 0 => _manager.ToEntry(pending.Owner, new StoredRecord(pending.Key, pending.ReadBytes, pending.ReadVersion), typeInfo),
        _ => null,
    };

    private async ValueTask<Pending> ObserveAsync(StateOwner owner, string key, CancellationToken cancellationToken)
    {
        if (Find(owner, key) is { } known && (known.HasRead || known.Write is not null))
        {
            return known;
        }

        var record = await _manager.GetRecordAsync(owner, key, cancellationToken).ConfigureAwait(false);
        var pending = GetOrAdd(owner, key);
        pending.MarkRead(record?.Value ?? ReadOnlyMemory<byte>.Empty, record?.Version ?? 0);
        return pending;
    }

    private Pending GetOrAdd(StateOwner owner, string key)
    {
        if (Find(owner, key) is { } known)
        {
            return known;
        }

        var pending = _records.Add(owner, key);
        if (_entries is not null)
        {
            _entries.Add((owner, key), pending);
        }
        else if (_records.Order.Count > ScannedRecords)
        {
            // Grown past a scan: index every record from now on.
            _entries = new Dictionary<(StateOwner Owner, string Key), Pending>(_records.Order.Count * 2);
            foreach (var each in _records.Order)
            {
                _entries.Add((each.Owner, each.Key), each);
            }
        }

        return pending;
    }

    /// <summary>The record this transaction already touched, or null.</summary>
    private Pending? Find(StateOwner owner, string key)
    {
        if (_entries is not null)
        {
            return _entries.TryGetValue((owner, key), out var indexed) ? indexed : null;
        }

        foreach (var pending in _records.Order)
        {
            if (pending.Owner.Equals(owner) && string.Equals(pending.Key, key, StringComparison.Ordinal))
            {
                return pending;
            }
        }

        return null;
    }

    private static void Expect(Pending pending, long? explicitVersion)
    {
        var implied = pending.Expected ?? (pending.HasRead ? pending.ReadVersion : null);
        if (explicitVersion is { } wanted)
        {
            // An explicit version refers to the committed store; one that contradicts what this transaction
            // already knows can never commit, so say so now.
            if (implied is { } known && known != wanted)
            {
                throw new StateConflictException(pending.Owner, pending.Key, wanted, known);
            }

            pending.Expected = wanted;
        }
        else
        {
            pending.Expected = implied;
        }
    }

    private void EnsureActive()
    {
        if (_endedAs is not null)
        {
            throw new InvalidOperationException($"The transaction has already ended ({_endedAs}); start a new one.");
        }
    }
}
