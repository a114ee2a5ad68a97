using System.Runtime.CompilerServices;
using TypedState.Storage;

namespace TypedState.Postgres;

// The listing's enumerator: an owner's records under a prefix, served from keyset pages.
public sealed partial class PostgresStateDriver
{
    /// <summary>A page list a finished listing left for the next (empty; its array is what is kept).</summary>
    private List<StoredRecord>? _sparePage;

    /// <summary>
    /// <see cref="ListAsync"/>'s records, page by page. Written by hand rather than as an async iterator: a record of
    /// the page at hand is served synchronously, with no state machine step per record; the pages (and their order, see
    /// <see cref="ListAsync"/>) are read in <c>NextBatchAsync</c>. As an iterator, nothing runs before
    /// the first step, failures come back in the returned task, and the listing's token and the enumerator's both cancel.
    /// </summary>
    private sealed class RecordPages(PostgresStateDriver driver, StateOwner owner, string prefix, CancellationToken listingToken) : IAsyncEnumerable<StoredRecord>
    {
        public IAsyncEnumerator<StoredRecord> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new Enumerator(driver, owner, prefix, listingToken, cancellationToken);

        private enum Phase
        {
            Start,
            Pages,
            Group,
            Done,
        }

        private sealed class Enumerator : IAsyncEnumerator<StoredRecord>
        {
            private readonly PostgresStateDriver _driver;
            private readonly StateOwner _owner;
            private readonly string _prefix;
            private readonly CancellationToken _token;
            private readonly CancellationTokenSource? _linked;

            // One list for the listing's pages, refilled for each (its records are handed out as copies), taken from
            // the driver's spare when there is one: grown from empty, a page of 256 goes through 7 arrays (16 KB).
            private List<StoredRecord> _page;
            private List<StoredRecord>? _group;
            private List<StoredRecord>? _batch;
            private int _index;
            private int _end;
            private bool _checkEach;
            private Phase _phase;
            private string? _upper;
            private string _lower = string.Empty;
            private bool _first = true;
            private string _headKey = string.Empty;
            private string _after = string.Empty;
            private string _groupLower = string.Empty;
            private bool _inclusive;

            public Enumerator(PostgresStateDriver driver, StateOwner owner, string prefix, CancellationToken listing, CancellationToken enumerator)
            {
                (_driver, _owner, _prefix) = (driver, owner, prefix);
                _page = Interlocked.Exchange(ref driver._sparePage, null) ?? [];
                if (listing == default || enumerator == default || listing == enumerator)
                {
                    _token = listing == default ? enumerator : listing;
                }
                else
                {
                    _linked = CancellationTokenSource.CreateLinkedTokenSource(listing, enumerator);
                    _token = _linked.Token;
                }
            }

            public StoredRecord Current { get; private set; }

            public ValueTask<bool> MoveNextAsync()
            {
                if (_index < _end && !_checkEach)
                {
                    Current = _batch![_index++];
                    return new ValueTask<bool>(true);
                }

                return MoveNextSlowAsync();
            }

            public ValueTask DisposeAsync()
            {
                // Nothing is held between steps: each page's connection is returned as soon as the page is read.
                Finish();
                return default;
            }

            [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
            private async ValueTask<bool> MoveNextSlowAsync()
            {
                try
                {
                    if (_index >= _end && (_phase == Phase.Done || !await NextBatchAsync().ConfigureAwait(false)))
                    {
                        Finish();
                        return false;
                    }

                    if (_checkEach)
                    {
                        _token.ThrowIfCancellationRequested();
                    }

                    Current = _batch![_index++];
                    return true;
                }
                catch
                {
                    Finish();
                    throw;
                }
            }

            /// <summary>Reads on until a batch of records to serve is at hand (true) or the listing is over (false).</summary>
            [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
            private async ValueTask<bool> NextBatchAsync()
            {
                var token = _token;
                if (_phase == Phase.Start)
                {
                    ArgumentNullException.ThrowIfNull(_prefix);
                }

                while (_phase != Phase.Done)
                {
                    token.ThrowIfCancellationRequested();
                    switch (_phase)
                    {
                        case Phase.Start:
                            await _driver.EnsureInitializedAsync(token).ConfigureAwait(false);

                            // Pages of ListPageSize keys, each its own query: no connection is held while the caller
                            // processes a page.
                            _upper = StateKeyOrder.PrefixUpperBound(_prefix);
                            _lower = _prefix;
                            _phase = Phase.Pages;
                            break;

                        case Phase.Pages:
                            if (await _driver.ReadPageAsync(_owner, _lower, _upper, _first, _page, token).ConfigureAwait(false))
                            {
                                // The first page's marker: the owner's guild is a fork, whose records are its own and its
                                // source's, each served after a check of the token.
                                _phase = Phase.Done;
                                _checkEach = true;
                                if (Serve(await _driver.ListForkAsync(_owner, _prefix, token).ConfigureAwait(false), int.MaxValue))
                                {
                                    return true;
                                }
                            }
                            else if (ServePage())
                            {
                                return true;
                            }

                            break;

                        case Phase.Group:
                            _group ??= [];
                            await _driver.ReadHeadPageAsync(_owner, _headKey, _groupLower, _inclusive, _upper, _group, token).ConfigureAwait(false);
                            if (_group.Count > 0)
                            {
                                _after = _group[^1].Key;
                                _groupLower = _after;
                                _inclusive = false;
                            }

                            if (_group.Count < _driver._pageSize)
                            {
                                _lower = _after;
                                _first = false;
                                _phase = Phase.Pages;
                            }

                            if (Serve(_group, int.MaxValue))
                            {
                                return true;
                            }

                            break;
                    }
                }

                return false;
            }

            /// <summary>Serves what a page just read completes, or moves on to a group of keys sharing one head.</summary>
            private bool ServePage()
            {
                var page = _page;
                if (page.Count < _driver._pageSize)
                {
                    SortByKey(page, page.Count);
                    _phase = Phase.Done;
                    return Serve(page, page.Count);
                }

                var complete = CompleteHeads(page);
                if (complete > 0)
                {
                    SortByKey(page, complete);
                    _lower = page[complete - 1].Key;
                    _first = false;
                    return Serve(page, complete);
                }

                // A full page of one head: read that head's keys in key order, then go on after them.
                _headKey = page[^1].Key;
                _after = page.Select(r => r.Key).Max(StateKeyOrder.Comparer)!;
                _groupLower = _lower;
                _inclusive = _first;
                _phase = Phase.Group;
                return false;
            }

            /// <summary>Serves the first <paramref name="count"/> records of <paramref name="batch"/> (all when larger); true when there are any.</summary>
            private bool Serve(List<StoredRecord> batch, int count)
            {
                _batch = batch;
                _index = 0;
                _end = Math.Min(count, batch.Count);
                return _end > 0;
            }

            private void Finish()
            {
                _phase = Phase.Done;
                _index = _end = 0;
                _linked?.Dispose();

                // The page list goes back as the driver's spare, emptied (no records kept alive), unless it is
                // already back or another listing's is.
                if (_page.Capacity > 0)
                {
                    _page.Clear();
                    Interlocked.CompareExchange(ref _driver._sparePage, _page, null);
                    _page = [];
                }
            }
        }
    }
}
