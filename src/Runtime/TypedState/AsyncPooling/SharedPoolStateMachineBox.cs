using System.Runtime.CompilerServices;

namespace TypedState.Storage;

/// <summary>
/// The box of one async method's state machine (<see cref="SharedPoolValueTaskMethodBuilder{TResult}"/>): the
/// state machine copied off the stack at its first wait, the context it resumes in, and its task. Reused from a
/// small pool per method shared by all threads: a box given back on the thread that completed the method (a
/// network reply's) is found by the next call on any thread.
/// </summary>
internal sealed class SharedPoolStateMachineBox<TStateMachine, TResult> : SharedPoolValueTaskBox<TResult>
    where TStateMachine : IAsyncStateMachine
{
    // As many spare boxes as calls usually overlap; more concurrent calls make boxes of their own.
    private static readonly SharedPoolStateMachineBox<TStateMachine, TResult>?[] s_spare = new SharedPoolStateMachineBox<TStateMachine, TResult>?[8];
    private static readonly ContextCallback s_moveNext = static box => ((SharedPoolStateMachineBox<TStateMachine, TResult>)box!).StateMachine!.MoveNext();

    private SharedPoolStateMachineBox() => MoveNextAction = MoveNext;

    /// <summary>The state machine, held while the method runs (a field: it runs in place).</summary>
    public TStateMachine? StateMachine;

    /// <summary>The execution context the method resumes in (its async locals), as captured at its last wait.</summary>
    public ExecutionContext? Context;

    /// <summary>The continuation handed to awaiters: resumes the method; one per box, made once.</summary>
    public Action MoveNextAction { get; }

    public static SharedPoolStateMachineBox<TStateMachine, TResult> Rent()
    {
        var spare = s_spare;
        for (var i = 0; i < spare.Length; i++)
        {
            if (Volatile.Read(ref spare[i]) is not null && Interlocked.Exchange(ref spare[i], null) is { } box)
            {
                return box;
            }
        }

        return new SharedPoolStateMachineBox<TStateMachine, TResult>();
    }

    protected override void Release()
    {
        StateMachine = default;
        Context = null;
        var spare = s_spare;
        for (var i = 0; i < spare.Length; i++)
        {
            if (Volatile.Read(ref spare[i]) is null && Interlocked.CompareExchange(ref spare[i], this, null) is null)
            {
                return;
            }
        }
    }

    private void MoveNext()
    {
        if (Context is { } context)
        {
            ExecutionContext.Run(context, s_moveNext, this);
        }
        else
        {
            StateMachine!.MoveNext();
        }
    }
}
