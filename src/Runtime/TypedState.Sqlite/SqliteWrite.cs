namespace TypedState.Sqlite;

/// <summary>
/// One write waiting for, or running on, the driver's write connection (<see cref="SqliteWriter"/>): a commit, an
/// owner removal or a lock call. It is queued, then taken into a transaction by the writer, then finished; a write
/// whose token fires, or that waits too long for the write lock, is finished while still queued and never applied.
/// </summary>
internal abstract class SqliteWrite
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Finished = 2;

    private readonly Action _onFinished;
    private int _state;
    private CancellationTokenRegistration _cancellation;

    protected SqliteWrite(long queuedAt, Action onFinished)
    {
        QueuedAt = queuedAt;
        _onFinished = onFinished;
    }

    /// <summary>When the write was queued (a <see cref="TimeProvider.GetTimestamp"/> of the system clock).</summary>
    public long QueuedAt { get; }

    /// <summary>Whether applying it can change some rows and then refuse (a batch of several writes): in a group it then gets a savepoint.</summary>
    public abstract bool MayApplyInPart { get; }

    /// <summary>Whether a COMMIT whose answer was lost is reported as <see cref="Storage.CommitOutcomeUnknownException"/>.</summary>
    public abstract bool IsCommit { get; }

    /// <summary>Whether the write has been finished (completed, failed or cancelled).</summary>
    public bool IsFinished => Volatile.Read(ref _state) == Finished;

    /// <summary>Lets <paramref name="cancellationToken"/> finish the write as cancelled while it is still queued.</summary>
    public void WatchCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (write, token) => ((SqliteWrite)write!).Cancel(token), this);
        }
    }

    /// <summary>
    /// Takes the write into the transaction about to run it: from then on its token is no longer watched and the
    /// writer finishes it. False when it was finished meanwhile (cancelled).
    /// </summary>
    public bool TryTake()
    {
        var previous = Interlocked.CompareExchange(ref _state, Taken, Queued);
        if (previous == Queued)
        {
            _cancellation.Unregister();
        }

        return previous != Finished;
    }

    /// <summary>Runs the write inside the writer's transaction; returns whether its changes are to be kept.</summary>
    public abstract bool Apply(SqliteSession session);

    /// <summary>Finishes a taken write with the result its last <see cref="Apply"/> produced, once that was committed.</summary>
    public void Complete()
    {
        if (TryFinish())
        {
            PublishResult();
        }
    }

    /// <summary>Finishes the write, queued or taken, with <paramref name="error"/>; nothing more happens if it was finished already.</summary>
    public void Fail(Exception error)
    {
        if (TryFinish())
        {
            _cancellation.Unregister();
            PublishError(error);
        }
    }

    protected abstract void PublishResult();

    protected abstract void PublishError(Exception error);

    protected abstract void PublishCancelled(CancellationToken cancellationToken);

    private void Cancel(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Finished, Queued) == Queued)
        {
            _onFinished();
            PublishCancelled(cancellationToken);
        }
    }

    private bool TryFinish()
    {
        var previous = Volatile.Read(ref _state);
        while (previous != Finished)
        {
            var seen = Interlocked.CompareExchange(ref _state, Finished, previous);
            if (seen == previous)
            {
                _onFinished();
                return true;
            }

            previous = seen;
        }

        return false;
    }
}
