using System.Threading.Tasks.Sources;

namespace TypedState.Storage;

/// <summary>
/// The task of a <see cref="SharedPoolValueTaskMethodBuilder{TResult}"/> method that waited: completes once with the
/// method's result or error and, once that was read, is cleared and given back (<see cref="Release"/>).
/// </summary>
internal abstract class SharedPoolValueTaskBox<TResult> : IValueTaskSource<TResult>, IValueTaskSource
{
    // A mutable struct: a field, never a property, so that its calls change this box's copy.
    private ManualResetValueTaskSourceCore<TResult> _core;

    /// <summary>The token of the task this box backs now.</summary>
    public short Version => _core.Version;

    public void SetResult(TResult result) => _core.SetResult(result);

    public void SetException(Exception exception) => _core.SetException(exception);

    public TResult GetResult(short token)
    {
        // A stale token or a task still running is refused by the core and leaves the box as it is.
        var reading = token == _core.Version && _core.GetStatus(token) != ValueTaskSourceStatus.Pending;
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            if (reading)
            {
                _core.Reset();
                Release();
            }
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>Called once the result was read and the box reset: drops what the method held and gives the box back.</summary>
    protected abstract void Release();

    /// <summary>The task of a method that failed before it waited: made for the error, never reused.</summary>
    internal sealed class Faulted : SharedPoolValueTaskBox<TResult>
    {
        protected override void Release()
        {
        }
    }
}
