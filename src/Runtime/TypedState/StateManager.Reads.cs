using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState;

// Reads: one record (with a synchronous fast path) and listings by prefix, typed or as stored bytes.
public partial class StateManager
{
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
    public async IAsyncEnumerable<StateEntry<T>> ListAsync<T>(StateOwner owner, string prefix, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        await foreach (var record in ListRecordsAsync(owner, prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return ToEntry(owner, record, typeInfo);
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
}
