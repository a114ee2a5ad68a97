using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace TypedState.Storage;

/// <summary>
/// An async method builder for <see cref="ValueTask{TResult}"/> methods on a hot path (a driver's commit, the
/// manager's write): a method that completes at once allocates nothing, and one that waits takes its state machine's
/// box from a small pool per method shared by all threads, given back once its result was read.
/// </summary>
/// <remarks>
/// <see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/> keeps spare boxes per thread and per core: a box given
/// back on the thread that ran a network reply's continuation is often not the one the next call's thread finds, so a
/// call waiting on the network allocates a box now and then. This pool does not depend on the thread. As with any
/// pooled <see cref="ValueTask{TResult}"/>, the task is awaited (or its result read) once.
/// <para>A method that awaits tasks whose continuations run asynchronously (a client that resumes its callers on the
/// thread pool) pays a work item per such wait here, as the thread pool wraps this builder's continuation, where it
/// queues the runtime's box as it is: for such a method, weigh that against how often the runtime's box is missed.</para>
/// </remarks>
/// <typeparam name="TResult">The method's result.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct SharedPoolValueTaskMethodBuilder<TResult>
{
    private SharedPoolValueTaskBox<TResult>? _box;
    private TResult _result;

    // The compiler asks the builder type for Create.
#pragma warning disable CA1000
    /// <summary>The builder of one call.</summary>
    /// <returns>A builder with nothing set.</returns>
    public static SharedPoolValueTaskMethodBuilder<TResult> Create() => default;
#pragma warning restore CA1000

    /// <summary>The call's task: its result when it completed at once, else its box's.</summary>
    public readonly ValueTask<TResult> Task => _box is { } box ? new ValueTask<TResult>(box, box.Version) : new ValueTask<TResult>(_result);

    /// <summary>As <see cref="Task"/>, without the result (<see cref="SharedPoolValueTaskMethodBuilder"/>'s task).</summary>
    internal readonly ValueTask UntypedTask => _box is { } box ? new ValueTask(box, box.Version) : default;

    /// <summary>Runs the method until its first wait.</summary>
    /// <typeparam name="TStateMachine">The method's state machine.</typeparam>
    /// <param name="stateMachine">The state machine, on the caller's stack.</param>
    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine =>
        // The runtime's start: restores the caller's execution and synchronization contexts afterwards.
        default(AsyncValueTaskMethodBuilder<TResult>).Start(ref stateMachine);

    // An instance method: the compiler calls it on the builder.
#pragma warning disable CA1822
    /// <summary>Not used: the state machine is copied into its box at its first wait.</summary>
    /// <param name="stateMachine">The boxed state machine.</param>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }
#pragma warning restore CA1822

    /// <summary>Completes the call with its result.</summary>
    /// <param name="result">The method's result.</param>
    public void SetResult(TResult result)
    {
        if (_box is { } box)
        {
            box.SetResult(result);
        }
        else
        {
            _result = result;
        }
    }

    /// <summary>Completes the call with an error, read from its task as an async method's.</summary>
    /// <param name="exception">The error.</param>
    public void SetException(Exception exception)
    {
        // A method that fails before it waits gets a box of its own: the error path allocates, the common one does not.
        (_box ??= new SharedPoolValueTaskBox<TResult>.Faulted()).SetException(exception);
    }

    /// <summary>Resumes the method when <paramref name="awaiter"/> completes.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The method's state machine.</typeparam>
    /// <param name="awaiter">What the method waits for.</param>
    /// <param name="stateMachine">The method's state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(BoxOf(ref stateMachine).MoveNextAction);

    /// <summary>Resumes the method when <paramref name="awaiter"/> completes, in the context captured here.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The method's state machine.</typeparam>
    /// <param name="awaiter">What the method waits for.</param>
    /// <param name="stateMachine">The method's state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.UnsafeOnCompleted(BoxOf(ref stateMachine).MoveNextAction);

    /// <summary>The method's box: at its first wait one from the pool, holding a copy of the state machine.</summary>
    private SharedPoolStateMachineBox<TStateMachine, TResult> BoxOf<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        var context = ExecutionContext.Capture();
        if (_box is SharedPoolStateMachineBox<TStateMachine, TResult> box)
        {
            box.Context = context;
            return box;
        }

        box = SharedPoolStateMachineBox<TStateMachine, TResult>.Rent();

        // This builder is a field of the state machine: set before the copy, so the boxed one knows its box too.
        _box = box;
        box.StateMachine = stateMachine;
        box.Context = context;
        return box;
    }
}
