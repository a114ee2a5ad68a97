namespace TypedState.Sqlite;

/// <summary>
/// A <see cref="SqliteWrite"/> that runs <c>apply</c> (a static function of the session and its state, so hot paths
/// allocate no closure) and hands its result to the caller's task.
/// </summary>
internal sealed class SqliteWriteOf<TState, TResult> : SqliteWrite
{
    // Continuations run on the thread pool, never inline on the writer, which goes on with the next group at once.
    private readonly TaskCompletionSource<TResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TState _state;
    private readonly Func<SqliteSession, TState, (TResult Result, bool Keep)> _apply;
    private TResult? _result;

    public SqliteWriteOf(TState state, Func<SqliteSession, TState, (TResult Result, bool Keep)> apply, bool mayApplyInPart, bool isCommit, long queuedAt, Action onFinished)
        : base(queuedAt, onFinished)
    {
        _state = state;
        _apply = apply;
        MayApplyInPart = mayApplyInPart;
        IsCommit = isCommit;
    }

    public override bool MayApplyInPart { get; }

    public override bool IsCommit { get; }

    /// <summary>The caller's view: the result, the error, or cancellation.</summary>
    public Task<TResult> Task => _done.Task;

    public override bool Apply(SqliteSession session)
    {
        var (result, keep) = _apply(session, _state);
        _result = result;
        return keep;
    }

    protected override void PublishResult() => _done.TrySetResult(_result!);

    protected override void PublishError(Exception error) => _done.TrySetException(error);

    protected override void PublishCancelled(CancellationToken cancellationToken) => _done.TrySetCanceled(cancellationToken);
}
