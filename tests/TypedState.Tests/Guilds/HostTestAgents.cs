using TypedState.Guilds;

namespace TypedState.Tests.Guilds;

/// <summary>A message whose handling pauses until the test lets it go on.</summary>
internal sealed record SlowWork;

/// <summary>
/// An agent whose handler writes agent and guild state, then waits for <see cref="Release"/>, then writes again:
/// it lets a test act while a message is in flight.
/// </summary>
internal sealed class PausingAgent : IMessageHandler<SlowWork>
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Started => _started.Task;

    public void Release() => _release.TrySetResult();

    public async ValueTask HandleAsync(SlowWork message, AgentContext context, CancellationToken cancellationToken)
    {
        await context.State.SetAsync(Scope.Agent, "before", 1, cancellationToken: cancellationToken);
        _started.TrySetResult();
        await _release.Task.WaitAsync(cancellationToken);
        await context.State.SetAsync(Scope.Agent, "after", 1, cancellationToken: cancellationToken);
        await context.State.SetAsync(Scope.Guild, "after", 1, cancellationToken: cancellationToken);
    }
}

/// <summary>An unconditional read-then-write increment: correct only if the guild delivers one message at a time per agent.</summary>
internal sealed record BlindIncrement;

/// <summary>Counts <see cref="BlindIncrement"/> messages with a read, a yield and an unconditional write.</summary>
internal sealed class BlindCounterAgent : IMessageHandler<BlindIncrement>
{
    public async ValueTask HandleAsync(BlindIncrement message, AgentContext context, CancellationToken cancellationToken)
    {
        var current = await context.State.GetValueOrDefaultAsync(Scope.Agent, "count", 0, cancellationToken);
        await Task.Yield();
        await context.State.SetAsync(Scope.Agent, "count", current + 1, cancellationToken: cancellationToken);
    }
}

/// <summary>A message every <see cref="TurnstileAgent"/> handles.</summary>
internal sealed record Pass;

/// <summary>
/// Shared by several <see cref="TurnstileAgent"/>s: the first handler to start reports its agent id and waits until
/// the test opens the turnstile, so a test knows which agent a publish reached first and can act before it goes on.
/// </summary>
internal sealed class Turnstile
{
    private readonly TaskCompletionSource<string> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _handled = [];

    /// <summary>The id of the first agent whose handler started.</summary>
    public Task<string> FirstArrival => _first.Task;

    public void Open() => _open.TrySetResult();

    /// <summary>The agents whose handlers ran to the end, in order.</summary>
    public IReadOnlyList<string> Handled
    {
        get
        {
            lock (_handled)
            {
                return [.. _handled];
            }
        }
    }

    public async ValueTask PassAsync(AgentContext context, CancellationToken cancellationToken)
    {
        await context.State.SetAsync(Scope.Agent, "passed", 1, cancellationToken: cancellationToken);
        _first.TrySetResult(context.AgentId);
        await _open.Task.WaitAsync(cancellationToken);
        lock (_handled)
        {
            _handled.Add(context.AgentId);
        }
    }
}

/// <summary>An agent that handles <see cref="Pass"/> through a shared <see cref="Turnstile"/>.</summary>
internal sealed class TurnstileAgent(Turnstile turnstile) : IMessageHandler<Pass>
{
    public ValueTask HandleAsync(Pass message, AgentContext context, CancellationToken cancellationToken) =>
        turnstile.PassAsync(context, cancellationToken);
}
