using System.Runtime.CompilerServices;
using TypedState.Storage;

namespace TypedState.Tests.AsyncPooling;

/// <summary>
/// The shared-pool builder behaves as an async method does (results, errors, cancellation, async locals), and a
/// call that waited and was finished on another thread gives its box back for the next call on any thread.
/// </summary>
public sealed class SharedPoolValueTaskMethodBuilderTests
{
    private static readonly AsyncLocal<string?> s_flowing = new();

    [Fact]
    public async Task A_call_that_never_waits_completes_at_once_with_its_result()
    {
        var task = AddOneAsync(Task.FromResult(41));

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(42, await task);
    }

    [Fact]
    public async Task A_call_that_waits_completes_with_its_result()
    {
        var pending = new TaskCompletionSource<int>();
        var task = AddOneAsync(pending.Task);
        Assert.False(task.IsCompleted);

        await Task.Run(() => pending.SetResult(1));

        Assert.Equal(2, await task);
    }

    [Fact]
    public async Task An_error_before_the_first_wait_comes_back_in_the_task()
    {
        var error = new InvalidOperationException("before");

        var task = FailAsync(error, waitFirst: null);

        Assert.True(task.IsFaulted);
        Assert.Same(error, await Assert.ThrowsAsync<InvalidOperationException>(() => task.AsTask()));
    }

    [Fact]
    public async Task An_error_after_a_wait_comes_back_in_the_task()
    {
        var pending = new TaskCompletionSource();
        var error = new InvalidOperationException("after");
        var task = FailAsync(error, pending.Task);

        await Task.Run(pending.SetResult);

        Assert.Same(error, await Assert.ThrowsAsync<InvalidOperationException>(() => task.AsTask()));
    }

    [Fact]
    public async Task A_cancellation_after_a_wait_leaves_a_cancelled_task()
    {
        var pending = new TaskCompletionSource();
        var task = FailAsync(new OperationCanceledException(), pending.Task);

        await Task.Run(pending.SetResult);

        Assert.True(task.IsCanceled);
        await Assert.ThrowsAsync<OperationCanceledException>(() => task.AsTask());
    }

    [Fact]
    public async Task A_method_without_a_result_completes_at_once_or_after_its_wait()
    {
        var done = NothingAsync(Task.CompletedTask);
        Assert.True(done.IsCompletedSuccessfully);
        await done;

        var pending = new TaskCompletionSource();
        var task = NothingAsync(pending.Task);
        Assert.False(task.IsCompleted);
        await Task.Run(pending.SetResult);
        await task;
    }

    [Fact]
    public async Task Async_locals_flow_into_the_method_after_its_wait_and_not_out_to_the_thread_that_resumed_it()
    {
        var pending = new TaskCompletionSource<int>(TaskCreationOptions.None);
        s_flowing.Value = "caller";
        var task = ReadFlowingAsync(pending.Task);
        s_flowing.Value = null;

        var onCompletingThread = "unset";
        await Task.Run(() =>
        {
            s_flowing.Value = "completer";
            pending.SetResult(0);
            onCompletingThread = s_flowing.Value;
        });

        Assert.Equal("caller", await task);
        Assert.Equal("completer", onCompletingThread);
    }

    [Fact]
    public void Boxes_given_back_on_another_thread_are_reused_by_the_next_calls()
    {
        // Warm up: the first rounds make the boxes (and the JIT its code); the rounds after reuse them.
        for (var i = 0; i < 20; i++)
        {
            CallsFinishedElsewhere();
        }

        long allocated = 0;
        for (var i = 0; i < 20; i++)
        {
            allocated += CallsFinishedElsewhere();
        }

        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// Four overlapping calls that wait: started here (where they take their boxes), finished and read on one
    /// thread-pool thread (where the boxes are given back). Returns the bytes this thread allocated starting them.
    /// </summary>
    private static long CallsFinishedElsewhere()
    {
        var pending = new[] { new TaskCompletionSource<int>(), new TaskCompletionSource<int>(), new TaskCompletionSource<int>(), new TaskCompletionSource<int>() };
        var before = GC.GetAllocatedBytesForCurrentThread();
        var a = AddOneAsync(pending[0].Task);
        var b = AddOneAsync(pending[1].Task);
        var c = AddOneAsync(pending[2].Task);
        var d = AddOneAsync(pending[3].Task);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var read = Task.Run(() =>
        {
            foreach (var call in pending)
            {
                call.SetResult(1);
            }

            return a.GetAwaiter().GetResult() + b.GetAwaiter().GetResult() + c.GetAwaiter().GetResult() + d.GetAwaiter().GetResult();
        });
        Assert.Equal(8, read.GetAwaiter().GetResult());
        return allocated;
    }

    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private static async ValueTask<int> AddOneAsync(Task<int> value) => await value.ConfigureAwait(false) + 1;

    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private static async ValueTask<int> FailAsync(Exception error, Task? waitFirst)
    {
        if (waitFirst is not null)
        {
            await waitFirst.ConfigureAwait(false);
        }

        throw error;
    }

    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder))]
    private static async ValueTask NothingAsync(Task wait) => await wait.ConfigureAwait(false);

    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    private static async ValueTask<string?> ReadFlowingAsync(Task<int> wait)
    {
        await wait.ConfigureAwait(false);
        return s_flowing.Value;
    }
}
