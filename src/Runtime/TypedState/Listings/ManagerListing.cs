using System.Runtime.CompilerServices;
using TypedState.Observability;
using TypedState.Storage;

namespace TypedState.Listings;

/// <summary>
/// A listing through the manager: the driver's records of an owner under a prefix, tracked as one operation, the
/// store's reserved keys left out, each record turned into what the caller asked for (<see cref="Convert"/>).
/// </summary>
/// <remarks>
/// <para>Written by hand rather than as async iterators stacked on the driver's: a record the driver already holds
/// (the rest of its page) is handed on synchronously, with no state machine and no execution-context switch of its own
/// per record. What the iterators did is kept:</para>
/// <list type="bullet">
/// <item>nothing runs before the first step: the argument checks fail there, untranslated;</item>
/// <item>the operation starts at the first step, in an execution context of its own, so its span does not stay
/// current for the caller (steps that wait, and the end, run in their own contexts too);</item>
/// <item>a driver failure fails the operation and is translated; the operation ends, completed, when the caller stops
/// enumerating (early or not) or when turning a record into the caller's form throws, which passes as it is;</item>
/// <item>failures come back in the returned task, never thrown by <c>MoveNextAsync</c> itself.</item>
/// </list>
/// </remarks>
internal abstract class ManagerListing<TResult>(StateManager manager, StateOwner owner, string prefix, CancellationToken cancellationToken) : IAsyncEnumerable<TResult>
{
    private const string Operation = "list";

    /// <summary>The manager listing.</summary>
    protected StateManager Manager => manager;

    /// <summary>The owner listed.</summary>
    protected StateOwner Owner => owner;

    private string Prefix => prefix;

    private CancellationToken ListingToken => cancellationToken;

    /// <inheritdoc />
    public IAsyncEnumerator<TResult> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(this, cancellationToken);

    /// <summary>Checks the caller's arguments beyond the owner and the prefix (at the first step).</summary>
    protected virtual void Validate()
    {
    }

    /// <summary>What the caller gets for a listed record.</summary>
    protected abstract TResult Convert(in StoredRecord record);

    private enum State
    {
        Ready,
        Running,
        Done,
    }

    private sealed class Enumerator : IAsyncEnumerator<TResult>
    {
        private readonly ManagerListing<TResult> _listing;
        private readonly CancellationToken _token;
        private readonly CancellationTokenSource? _linked;
        private IAsyncEnumerator<StoredRecord>? _source;
        private OperationTracker _tracker;
        private State _state;

        public Enumerator(ManagerListing<TResult> listing, CancellationToken token)
        {
            _listing = listing;

            // The listing's token and the enumerator's, combined as [EnumeratorCancellation] combines them.
            var own = listing.ListingToken;
            if (own == default || token == default || token == own)
            {
                _token = own == default ? token : own;
            }
            else
            {
                _linked = CancellationTokenSource.CreateLinkedTokenSource(own, token);
                _token = _linked.Token;
            }
        }

        public TResult Current { get; private set; } = default!;

        public ValueTask<bool> MoveNextAsync()
        {
            if (_state != State.Running)
            {
                return _state == State.Ready ? StartAsync() : new ValueTask<bool>(false);
            }

            // The common step: the driver has the next record at hand, so nothing here waits or allocates.
            ValueTask<bool> step;
            while (true)
            {
                try
                {
                    step = _source!.MoveNextAsync();
                }
                catch (Exception ex)
                {
                    return FailAsync(ex);
                }

                if (!step.IsCompletedSuccessfully)
                {
                    return ContinueAsync(step);
                }

                if (!step.Result)
                {
                    return EndAsync();
                }

                try
                {
                    if (Take())
                    {
                        return new ValueTask<bool>(true);
                    }
                }
                catch (Exception ex)
                {
                    return EndAsync(ex);
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            if (_state == State.Running)
            {
                return CloseAsync(complete: true);
            }

            _state = State.Done;
            _linked?.Dispose();
            return default;
        }

        /// <summary>The first step: checks, starts the operation and the driver's listing, then takes the first record.</summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<bool> StartAsync()
        {
            _state = State.Running;
            bool hasNext;
            try
            {
                hasNext = await OpenAsync().ConfigureAwait(false);
            }
            catch
            {
                _state = State.Done;
                _linked?.Dispose();
                throw;
            }

            return await ContinueAsync(new ValueTask<bool>(hasNext)).ConfigureAwait(false);
        }

        /// <summary>Starts the operation and the driver's first step, in this method's own execution context (the span's).</summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<bool> OpenAsync()
        {
            var manager = _listing.Manager;
            var owner = _listing.Owner;
            _listing.Validate();
            manager.ValidatePrefix(owner, _listing.Prefix);
            _tracker = OperationTracker.Start(Operation, manager.Driver.Name, owner, _listing.Prefix);
            ValueTask<bool> first;
            try
            {
                _source = manager.Driver.ListAsync(owner, _listing.Prefix, _token).GetAsyncEnumerator(_token);
                first = _source.MoveNextAsync();
            }
            catch (Exception ex)
            {
                return await FailAsync(ex).ConfigureAwait(false);
            }

            try
            {
                return await first.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return await FailAsync(ex).ConfigureAwait(false);
            }
        }

        /// <summary>Steps that wait for the driver: as <see cref="MoveNextAsync"/>, awaiting each step.</summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<bool> ContinueAsync(ValueTask<bool> step)
        {
            while (true)
            {
                bool hasNext;
                try
                {
                    hasNext = await step.ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    return await FailAsync(ex).ConfigureAwait(false);
                }

                if (!hasNext)
                {
                    return await EndAsync().ConfigureAwait(false);
                }

                try
                {
                    if (Take())
                    {
                        return true;
                    }
                }
                catch (Exception ex)
                {
                    return await EndAsync(ex).ConfigureAwait(false);
                }

                try
                {
                    step = _source!.MoveNextAsync();
                }
                catch (Exception ex)
                {
                    return await FailAsync(ex).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Takes the driver's current record unless the store reserves its key.</summary>
        private bool Take()
        {
            var record = _source!.Current;
            if (QuarantineEnvelope.IsReserved(record.Key))
            {
                return false;
            }

            Current = _listing.Convert(record);
            return true;
        }

        /// <summary>A driver failure: the operation fails and the error is translated, once the driver's listing is closed.</summary>
        private async ValueTask<bool> FailAsync(Exception exception)
        {
            _tracker.Fail(exception);
            try
            {
                throw _listing.Manager.Translate(exception, Operation, _listing.Owner, null);
            }
            finally
            {
                await CloseAsync(complete: false).ConfigureAwait(false);
            }
        }

        /// <summary>The end of the listing, or of a record that could not be turned into the caller's form (<paramref name="exception"/>).</summary>
        private async ValueTask<bool> EndAsync(Exception? exception = null)
        {
            await CloseAsync(complete: true).ConfigureAwait(false);
            if (exception is not null)
            {
                throw exception.Rethrowable();
            }

            return false;
        }

        private async ValueTask CloseAsync(bool complete)
        {
            _state = State.Done;
            var source = _source;
            _source = null;
            try
            {
                if (source is not null)
                {
                    await source.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _linked?.Dispose();
            }

            if (complete)
            {
                _tracker.Complete();
            }
        }
    }
}
