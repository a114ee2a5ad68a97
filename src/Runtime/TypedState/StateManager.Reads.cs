using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using TypedState.Listings;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

// Reads: one record (with a synchronous fast path) and listings by prefix, typed or as stored bytes.
public partial class StateManager
{
    /// <inheritdoc />
    public ValueTask<StateEntry<T>> GetAsync<T>(StateOwner owner, string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        ReadAsync<StateEntry<T>, EntryRead<T>>(owner, key, new EntryRead<T>(this, typeInfo), cancellationToken);

    /// <inheritdoc />
    public ValueTask<StoredRecord?> GetRecordAsync(StateOwner owner, string key, CancellationToken cancellationToken = default) =>
        ReadAsync<StoredRecord?, RecordRead>(owner, key, default, cancellationToken);

    /// <summary>
    /// The read behind <see cref="GetAsync{T}"/> and <see cref="GetRecordAsync"/>; <paramref name="read"/> turns the
    /// stored record into the result and completes the tracker. The reader is a struct type argument, so the JIT
    /// compiles a copy per reader with no delegate, no boxing and no async state machine when the driver answers
    /// synchronously. Whatever throws while a read completes (a corrupt record, or a telemetry listener called by the
    /// tracker) is reported like a driver failure, in the returned task, the same way for both callers.
    /// </summary>
    private ValueTask<TResult> ReadAsync<TResult, TRead>(StateOwner owner, string key, TRead read, CancellationToken cancellationToken)
        where TRead : struct, IRecordRead<TResult>
    {
        try
        {
            ValidateKey(owner, key);
            read.Validate();
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TResult>(ex);
        }

        var tracker = OperationTracker.Start("get", Driver.Name, owner, key);
        ValueTask<StoredRecord?> pending;
        try
        {
            pending = Driver.ReadAsync(owner, key, cancellationToken);
            if (pending.IsCompletedSuccessfully)
            {
                // Drivers that answer synchronously (in-memory, SQLite) skip the async state machine.
                return new ValueTask<TResult>(read.Complete(owner, key, pending.Result, in tracker));
            }
        }
        catch (Exception ex)
        {
            return Failed<TResult>(ex, tracker, "get", owner, key);
        }

        return AwaitReadAsync<TResult, TRead>(owner, key, pending, read, tracker);
    }

    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> AwaitReadAsync<TResult, TRead>(StateOwner owner, string key, ValueTask<StoredRecord?> pending, TRead read, OperationTracker tracker)
        where TRead : struct, IRecordRead<TResult>
    {
        try
        {
            var record = await pending.ConfigureAwait(false);
            return read.Complete(owner, key, record, in tracker);
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "get", owner, key);
        }
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

    // Listings are one enumerator over the driver's (ManagerListing): tracked as one operation, reserved keys left out.

    /// <inheritdoc />
    public IAsyncEnumerable<StateEntry<T>> ListAsync<T>(StateOwner owner, string prefix, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        new EntryListing<T>(this, owner, prefix, typeInfo, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<StoredRecord> ListRecordsAsync(StateOwner owner, string prefix, CancellationToken cancellationToken = default) =>
        new RecordListing(this, owner, prefix, cancellationToken);

    /// <summary>
    /// Enumerates a driver's stream as one tracked operation: it ends when the caller stops enumerating, early or not,
    /// and a failure is reported (and translated) like any driver failure.
    /// </summary>
    private async IAsyncEnumerable<T> TrackedAsync<T>(
        string operation,
        StateOwner? owner,
        string? key,
        Func<CancellationToken, IAsyncEnumerable<T>> source,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tracker = OperationTracker.Start(operation, Driver.Name, owner, key);
        IAsyncEnumerator<T> enumerator;
        try
        {
            enumerator = source(cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, operation, owner, null);
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
                    throw Translate(ex, operation, owner, null);
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

    /// <summary>Turns the record a read found (null: absent) into what the caller asked for, and completes the tracker.</summary>
    private interface IRecordRead<TResult>
    {
        /// <summary>Checks the caller's arguments beyond the owner and key.</summary>
        void Validate();

        TResult Complete(StateOwner owner, string key, StoredRecord? record, in OperationTracker tracker);
    }

    /// <summary><see cref="GetRecordAsync"/>: the stored bytes as they are.</summary>
    private readonly struct RecordRead : IRecordRead<StoredRecord?>
    {
        public void Validate()
        {
        }

        public StoredRecord? Complete(StateOwner owner, string key, StoredRecord? record, in OperationTracker tracker)
        {
            tracker.Complete(record is null ? "absent" : null);
            return record;
        }
    }

    /// <summary><see cref="GetAsync{T}"/>: the record deserialized into an entry.</summary>
    private readonly struct EntryRead<T>(StateManager manager, JsonTypeInfo<T> typeInfo) : IRecordRead<StateEntry<T>>
    {
        public void Validate() => ArgumentNullException.ThrowIfNull(typeInfo);

        public StateEntry<T> Complete(StateOwner owner, string key, StoredRecord? record, in OperationTracker tracker)
        {
            if (record is not { } found)
            {
                tracker.Complete("absent");
                return new StateEntry<T>(key, false, default, 0);
            }

            // A corrupt record throws from here; the read reports it (tracker and translation) like a driver failure.
            var value = manager.Deserialize(owner, key, found.Value, found.Version, typeInfo);
            tracker.Complete();
            return new StateEntry<T>(key, true, value, found.Version);
        }
    }
}
