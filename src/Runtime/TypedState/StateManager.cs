using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

/// <summary>
/// The state manager over any <see cref="IStateDriver"/>: validates keys, serializes values, checks versions,
/// builds transactions, reports errors with scope, owner and key, and emits logs, spans and metrics.
/// Thread-safe.
/// </summary>
public class StateManager : IStateManager, IAsyncDisposable
{
    private static readonly TimeSpan MaxLease = TimeSpan.FromDays(1);
    private readonly bool _ownsDriver;
    private readonly StateFence[] _fences = [];
    private int _disposed;

    /// <summary>Creates a manager over <paramref name="driver"/>.</summary>
    /// <param name="driver">The storage driver.</param>
    /// <param name="options">Limits and serializer settings; defaults when null.</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    /// <param name="ownsDriver">Whether disposing the manager disposes the driver.</param>
    public StateManager(IStateDriver driver, StateManagerOptions? options = null, ILoggerFactory? loggerFactory = null, bool ownsDriver = false)
    {
        ArgumentNullException.ThrowIfNull(driver);
        options ??= new StateManagerOptions();
        options.Validate();
        Driver = driver;
        Options = options;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<StateManager>();
        _ownsDriver = ownsDriver;
    }

    /// <summary>Creates a manager from dependency-injection services.</summary>
    public StateManager(IStateDriver driver, IOptions<StateManagerOptions> options, ILoggerFactory? loggerFactory = null)
        : this(driver, options?.Value, loggerFactory, ownsDriver: false)
    {
    }

    private StateManager(StateManager source, StateFence[] fences)
    {
        Driver = source.Driver;
        Options = source.Options;
        Logger = source.Logger;
        _fences = fences;
        _ownsDriver = false;
    }

    /// <summary>The driver this manager stores through.</summary>
    public IStateDriver Driver { get; }

    /// <summary>The limits and serializer settings in force.</summary>
    public StateManagerOptions Options { get; }

    /// <inheritdoc />
    public JsonSerializerOptions SerializerOptions => Options.SerializerOptions;

    internal ILogger Logger { get; }

    /// <inheritdoc />
    public ValueTask<StateEntry<T>> GetAsync<T>(StateOwner owner, string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        try
        {
            ValidateKey(owner, key);
            ArgumentNullException.ThrowIfNull(typeInfo);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<StateEntry<T>>(ex);
        }

        var tracker = OperationTracker.Start("get", Driver.Name, owner, key);
        ValueTask<StoredRecord?> pending;
        try
        {
            pending = Driver.ReadAsync(owner, key, cancellationToken);
            if (pending.IsCompletedSuccessfully)
            {
                // Drivers that answer synchronously (in-memory, SQLite) skip the async state machine.
                return new ValueTask<StateEntry<T>>(CompleteGet(owner, key, pending.Result, typeInfo, tracker));
            }
        }
        catch (Exception ex)
        {
            return Failed<StateEntry<T>>(ex, tracker, "get", owner, key);
        }

        return AwaitGetAsync(owner, key, pending, typeInfo, tracker);
    }

    private ValueTask<TResult> Failed<TResult>(Exception exception, OperationTracker tracker, string operation, StateOwner owner, string key)
    {
        tracker.Fail(exception);
        try
        {
            throw Translate(exception, operation, owner, key);
        }
        catch (Exception translated)
        {
            return ValueTask.FromException<TResult>(translated);
        }
    }

    private async ValueTask<StateEntry<T>> AwaitGetAsync<T>(StateOwner owner, string key, ValueTask<StoredRecord?> pending, JsonTypeInfo<T> typeInfo, OperationTracker tracker)
    {
        StoredRecord? record;
        try
        {
            record = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "get", owner, key);
        }

        try
        {
            return CompleteGet(owner, key, record, typeInfo, tracker);
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "get", owner, key);
        }
    }

    private StateEntry<T> CompleteGet<T>(StateOwner owner, string key, StoredRecord? record, JsonTypeInfo<T> typeInfo, OperationTracker tracker)
    {
        if (record is not { } found)
        {
            tracker.Complete("absent");
            return new StateEntry<T>(key, false, default, 0);
        }

        // A corrupt record throws from here; the callers report it (tracker and translation) like a driver failure.
        var value = Deserialize(owner, key, found.Value, found.Version, typeInfo);
        tracker.Complete();
        return new StateEntry<T>(key, true, value, found.Version);
    }

    /// <inheritdoc />
    public async ValueTask<long> SetAsync<T>(StateOwner owner, string key, T value, JsonTypeInfo<T> typeInfo, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ValidateKey(owner, key);
        ValidateExpectedVersion(expectedVersion);
        var bytes = Serialize(owner, key, value, typeInfo);
        if (expectedVersion is null && StateSchema.Behind(typeInfo) is { } schema)
        {
            return await SetOverAsync(owner, key, bytes, schema, cancellationToken).ConfigureAwait(false);
        }

        var result = await CommitAsync("set", [new StateWrite(owner, key, StateWriteKind.Set, bytes, expectedVersion)], cancellationToken).ConfigureAwait(false);
        return result.Versions[0];
    }

    /// <summary>
    /// A state type's value saved without an expected version: the record is replaced whatever its version, unless
    /// a newer build wrote it (<see cref="StateSchemaTooNewException"/>, never a downgrade). The check and the write
    /// are one conditional write on the version just read, repeated if another writer gets in between.
    /// </summary>
    private async ValueTask<long> SetOverAsync(StateOwner owner, string key, byte[] bytes, StateSchema schema, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetRecordAsync(owner, key, cancellationToken).ConfigureAwait(false);
            if (current is { } stored)
            {
                schema.EnsureNotNewer(stored.Value.Span, owner, key);
            }

            try
            {
                var result = await CommitAsync("set", [new StateWrite(owner, key, StateWriteKind.Set, bytes, current?.Version ?? 0)], cancellationToken).ConfigureAwait(false);
                return result.Versions[0];
            }
            catch (StateConflictException) when (attempt < OptimisticRetry.DefaultMaxAttempts)
            {
                // Another writer got in between the read and the write: check what it wrote, then try again.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(StateOwner owner, string key, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ValidateKey(owner, key);
        ValidateExpectedVersion(expectedVersion);
        var result = await CommitAsync("delete", [new StateWrite(owner, key, StateWriteKind.Delete, ReadOnlyMemory<byte>.Empty, expectedVersion)], cancellationToken).ConfigureAwait(false);
        return result.Versions[0] > 0;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StateEntry<T>> ListAsync<T>(StateOwner owner, string prefix, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        await foreach (var record in ListRecordsAsync(owner, prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return ToEntry(owner, record, typeInfo);
        }
    }

    /// <inheritdoc />
    public ValueTask<StoredRecord?> GetRecordAsync(StateOwner owner, string key, CancellationToken cancellationToken = default)
    {
        try
        {
            ValidateKey(owner, key);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<StoredRecord?>(ex);
        }

        var tracker = OperationTracker.Start("get", Driver.Name, owner, key);
        ValueTask<StoredRecord?> pending;
        try
        {
            pending = Driver.ReadAsync(owner, key, cancellationToken);
        }
        catch (Exception ex)
        {
            return Failed<StoredRecord?>(ex, tracker, "get", owner, key);
        }

        if (pending.IsCompletedSuccessfully)
        {
            // Drivers that answer synchronously (in-memory, SQLite) skip the async state machine.
            var record = pending.Result;
            tracker.Complete(record is null ? "absent" : "ok");
            return new ValueTask<StoredRecord?>(record);
        }

        return AwaitRecordAsync(owner, key, pending, tracker);
    }

    private async ValueTask<StoredRecord?> AwaitRecordAsync(StateOwner owner, string key, ValueTask<StoredRecord?> pending, OperationTracker tracker)
    {
        try
        {
            var record = await pending.ConfigureAwait(false);
            tracker.Complete(record is null ? "absent" : "ok");
            return record;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "get", owner, key);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredRecord> ListRecordsAsync(StateOwner owner, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ValidatePrefix(owner, prefix);
        var tracker = OperationTracker.Start("list", Driver.Name, owner, prefix);
        IAsyncEnumerator<StoredRecord> enumerator;
        try
        {
            enumerator = Driver.ListAsync(owner, prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "list", owner, null);
        }

        // The operation ends when the caller stops enumerating, early or not: finally records it either way.
        var failed = false;
        try
        {
            while (true)
            {
                // A yield cannot sit inside a try with a catch, so each step is fetched first, then yielded.
                bool hasNext;
                try
                {
                    hasNext = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    failed = true;
                    tracker.Fail(ex);
                    throw Translate(ex, "list", owner, null);
                }

                if (!hasNext)
                {
                    break;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            if (!failed)
            {
                tracker.Complete();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IStateTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ValueTask.FromResult<IStateTransaction>(new StateTransaction(this));
    }

    /// <inheritdoc />
    public ValueTask RemoveAgentAsync(string guildId, string agentId, CancellationToken cancellationToken = default) =>
        RemoveOwnerAsync(StateOwner.Agent(guildId, agentId), cancellationToken);

    /// <inheritdoc />
    public ValueTask RemoveGuildAsync(string guildId, CancellationToken cancellationToken = default) =>
        RemoveOwnerAsync(StateOwner.Guild(guildId), cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IStateLock> AcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var started = TimeProvider.System.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            if (await TryAcquireLockAsync(owner, key, lease, cancellationToken).ConfigureAwait(false) is { } held)
            {
                return held;
            }

            if (TimeProvider.System.GetElapsedTime(started) >= timeout)
            {
                throw new StateLockException(
                    StateLockFailure.Timeout,
                    owner,
                    key,
                    null,
                    null,
                    $"The {(key is null ? "owner" : "key")} lock stayed taken for the whole wait of {timeout.TotalMilliseconds:0} ms.");
            }

            // Drivers have no common way to block on a lock, so waiters poll with a growing, jittered pause.
            var pause = Math.Min(50, 1 << Math.Min(attempt, 6));
            await Task.Delay(Random.Shared.Next(pause / 2, pause + 1), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IStateLock?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ValidateLockTarget(owner, key);
        ValidateLease(lease);
        var tracker = OperationTracker.Start("lock", Driver.Name, owner, key);
        try
        {
            var grant = await Driver.TryAcquireLockAsync(owner, key, lease, cancellationToken).ConfigureAwait(false);
            tracker.Complete(grant is null ? "busy" : "ok");
            return grant is { } granted ? new StateLock(this, owner, key, lease, granted) : null;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "lock", owner, key);
        }
    }

    /// <inheritdoc />
    public IStateManager WithFence(StateFence fence)
    {
        ValidateLockTarget(fence.Owner, fence.Key);
        ArgumentOutOfRangeException.ThrowIfLessThan(fence.Token, 1, nameof(fence));
        return new StateManager(this, [.. _fences, fence]);
    }

    internal async ValueTask<LockGrant> RenewLockAsync(StateLock held, TimeSpan lease, CancellationToken cancellationToken)
    {
        var tracker = OperationTracker.Start("renew", Driver.Name, held.Owner, held.Key);
        try
        {
            var grant = await Driver.RenewLockAsync(held.Owner, held.Key, held.FencingToken, lease, cancellationToken).ConfigureAwait(false)
                ?? throw new StateLockException(
                    StateLockFailure.Lost,
                    held.Owner,
                    held.Key,
                    held.FencingToken,
                    null,
                    $"The lock with fencing token {held.FencingToken} was lost: its lease expired before it was renewed.");
            tracker.Complete();
            return grant;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "renew", held.Owner, held.Key);
        }
    }

    internal async ValueTask ReleaseLockAsync(StateLock held, CancellationToken cancellationToken)
    {
        var tracker = OperationTracker.Start("unlock", Driver.Name, held.Owner, held.Key);
        try
        {
            await Driver.ReleaseLockAsync(held.Owner, held.Key, held.FencingToken, cancellationToken).ConfigureAwait(false);
            tracker.Complete();
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "unlock", held.Owner, held.Key);
        }
    }

    internal static TimeSpan ValidateLease(TimeSpan lease)
    {
        if (lease <= TimeSpan.Zero || lease > MaxLease)
        {
            throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease lasts more than zero and at most one day.");
        }

        return lease;
    }

    /// <summary>Disposes the driver when this manager owns it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDriver)
        {
            await Driver.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    internal async ValueTask<CommitResult> CommitAsync(string operation, IReadOnlyList<StateWrite> writes, CancellationToken cancellationToken)
    {
        var first = writes[0];
        var tracker = OperationTracker.Start(operation, Driver.Name, writes.Count == 1 ? first.Owner : null, writes.Count == 1 ? first.Key : null);
        try
        {
            var result = await Driver.CommitAsync(writes, _fences, cancellationToken).ConfigureAwait(false);
            if (result.Failure == CommitFailure.Fence)
            {
                var fence = _fences[result.ConflictIndex];
                throw new StateLockException(
                    StateLockFailure.FencedOut,
                    fence.Owner,
                    fence.Key,
                    fence.Token,
                    result.ActualVersion,
                    $"The write was refused: it holds fencing token {fence.Token}, but a newer lock (token {result.ActualVersion}) was granted since, so its lease had expired. Nothing was applied.");
            }

            if (!result.Succeeded)
            {
                var failed = writes[result.ConflictIndex];
                StateLog.Conflict(Logger, failed.Owner, failed.Key, failed.ExpectedVersion, result.ActualVersion);
                throw new StateConflictException(failed.Owner, failed.Key, failed.ExpectedVersion, result.ActualVersion);
            }

            if (result.Versions.Count != writes.Count)
            {
                throw new InvalidOperationException($"The {Driver.Name} driver returned {result.Versions.Count} versions for a batch of {writes.Count}.");
            }

            tracker.Complete();
            return result;
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, operation, writes.Count == 1 ? first.Owner : null, writes.Count == 1 ? first.Key : null);
        }
    }

    internal void ValidateKey(StateOwner owner, string key)
    {
        ValidateOwner(owner);
        ArgumentNullException.ThrowIfNull(key);
        var problem = KeyRules.Describe(key, Options.MaxKeyLength, allowEmpty: false);
        if (problem is not null)
        {
            throw new InvalidStateKeyException(owner, key, problem);
        }
    }

    internal void ValidatePrefix(StateOwner owner, string prefix)
    {
        ValidateOwner(owner);
        ArgumentNullException.ThrowIfNull(prefix);
        var problem = KeyRules.Describe(prefix, Options.MaxKeyLength, allowEmpty: true);
        if (problem is not null)
        {
            throw new InvalidStateKeyException(owner, prefix, "the prefix is invalid: " + problem);
        }
    }

    internal static void ValidateExpectedVersion(long? expectedVersion)
    {
        if (expectedVersion is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "An expected version is 0 (absent) or positive.");
        }
    }

    internal byte[] Serialize<T>(StateOwner owner, string key, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        byte[] bytes;
        try
        {
            bytes = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new StateException($"The value of type {typeof(T).Name} could not be serialized: {ex.Message}", owner, key, ex);
        }

        if (bytes.Length > Options.MaxValueBytes)
        {
            throw new StateValueTooLargeException(owner, key, bytes.Length, Options.MaxValueBytes);
        }

        return bytes;
    }

    internal T? Deserialize<T>(StateOwner owner, string key, ReadOnlyMemory<byte> bytes, long version, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes.Span, typeInfo);
        }
        catch (JsonException ex)
        {
            StateLog.CorruptRecord(Logger, owner, key, version, typeof(T).Name, ex);
            throw new CorruptStateException(owner, key, version, typeof(T), ex);
        }
        catch (StateSchemaException ex) when (ex.Owner is null)
        {
            // Raised by a generated state type's converter, which cannot know where the bytes came from.
            StateLog.CorruptRecord(Logger, owner, key, version, typeof(T).Name, ex);
            throw ex.At(owner, key);
        }
    }

    internal StateEntry<T> ToEntry<T>(StateOwner owner, StoredRecord record, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return new StateEntry<T>(record.Key, true, Deserialize(owner, record.Key, record.Value, record.Version, typeInfo), record.Version);
        }
        catch (StateException corrupt) when (corrupt is CorruptStateException or StateSchemaException)
        {
            return new StateEntry<T>(record.Key, true, default, record.Version, corrupt);
        }
    }

    internal Exception Translate(Exception exception, string operation, StateOwner? owner, string? key)
    {
        if (exception is StateException or OperationCanceledException or ArgumentException or ObjectDisposedException)
        {
            return exception.Rethrowable();
        }

        StateLog.DriverFailure(Logger, Driver.Name, operation, owner?.ToString() ?? "(batch)", exception);
        return new StateDriverException(Driver.Name, operation, owner, key, exception);
    }

    private void ValidateLockTarget(StateOwner owner, string? key)
    {
        if (key is null)
        {
            ValidateOwner(owner);
        }
        else
        {
            ValidateKey(owner, key);
        }
    }

    private static void ValidateOwner(StateOwner owner)
    {
        if (!owner.IsValid)
        {
            throw new ArgumentException("The owner is not initialized: build it with StateOwner.Agent, StateOwner.Guild or StateOwner.Global.", nameof(owner));
        }
    }

    private async ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        var tracker = OperationTracker.Start("remove", Driver.Name, owner, null);
        try
        {
            await Driver.RemoveOwnerAsync(owner, cancellationToken).ConfigureAwait(false);
            StateLog.OwnerRemoved(Logger, owner);
            tracker.Complete();
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "remove", owner, null);
        }
    }
}
