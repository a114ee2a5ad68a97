using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace TypedState.Storage;

/// <summary>
/// <see cref="SharedPoolValueTaskMethodBuilder{TResult}"/> for <see cref="ValueTask"/> methods: boxes from a small
/// pool per method shared by all threads.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct SharedPoolValueTaskMethodBuilder
{
    private SharedPoolValueTaskMethodBuilder<bool> _inner;

    /// <summary>The builder of one call.</summary>
    /// <returns>A builder with nothing set.</returns>
    public static SharedPoolValueTaskMethodBuilder Create() => default;

    /// <summary>The call's task: completed when the call completed at once, else its box's.</summary>
    public readonly ValueTask Task => _inner.UntypedTask;

    /// <summary>Runs the method until its first wait.</summary>
    /// <typeparam name="TStateMachine">The method's state machine.</typeparam>
    /// <param name="stateMachine">The state machine, on the caller's stack.</param>
    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine =>
        _inner.Start(ref stateMachine);

    // An instance method: the compiler calls it on the builder.
#pragma warning disable CA1822
    /// <summary>Not used: the state machine is copied into its box at its first wait.</summary>
    /// <param name="stateMachine">The boxed state machine.</param>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }
#pragma warning restore CA1822

    /// <summary>Completes the call.</summary>
    public void SetResult() => _inner.SetResult(true);

    /// <summary>Completes the call with an error, read from its task as an async method's.</summary>
    /// <param name="exception">The error.</param>
    public void SetException(Exception exception) => _inner.SetException(exception);

    /// <summary>Resumes the method when <paramref name="awaiter"/> completes.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The method's state machine.</typeparam>
    /// <param name="awaiter">What the method waits for.</param>
    /// <param name="stateMachine">The method's state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        _inner.AwaitOnCompleted(ref awaiter, ref stateMachine);

    /// <summary>Resumes the method when <paramref name="awaiter"/> completes, in the context captured here.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The method's state machine.</typeparam>
    /// <param name="awaiter">What the method waits for.</param>
    /// <param name="stateMachine">The method's state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        _inner.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}
