using TypedState.Guilds;

namespace TypedState.Tests.Conformance;

/// <summary>A visit: the agent counts it in its own, its guild's and the global state.</summary>
public sealed record Visit(string From);

/// <summary>Asks the agent to report what it sees in each scope.</summary>
public sealed record Report;

/// <summary>Asks the agent to write three scopes in one scoped transaction, the global write expecting a version.</summary>
public sealed record TransactionalVisit(long GlobalExpectedVersion);

/// <summary>What an agent saw, captured for the test to assert.</summary>
public sealed record Observation(string AgentId, StateOwner AgentOwner, StateOwner GuildOwner, int Visits, int GuildVisits, int GlobalVisits, IReadOnlyList<string> AgentKeys);

/// <summary>
/// An agent that counts visits in all three scopes through <see cref="AgentContext.State"/>, the way user code does.
/// </summary>
public sealed class VisitCounterAgent : IMessageHandler<Visit>, IMessageHandler<Report>, IMessageHandler<TransactionalVisit>
{
    public List<Observation> Observations { get; } = [];

    public List<Exception> Failures { get; } = [];

    public async ValueTask HandleAsync(Visit message, AgentContext context, CancellationToken cancellationToken)
    {
        var state = context.State;
        await state.UpdateAsync<int>(Scope.Agent, "visits", v => v + 1, cancellationToken: cancellationToken);
        await state.UpdateAsync<int>(Scope.Guild, "visits", v => v + 1, cancellationToken: cancellationToken);
        await state.UpdateAsync<int>(Scope.Global, "visits", v => v + 1, cancellationToken: cancellationToken);
        await state.SetAsync(Scope.Agent, "last-visitor", message.From, cancellationToken: cancellationToken);
    }

    public async ValueTask HandleAsync(Report message, AgentContext context, CancellationToken cancellationToken)
    {
        var state = context.State;
        var keys = new List<string>();
        await foreach (var entry in state.ListAsync<System.Text.Json.JsonElement>(Scope.Agent, string.Empty, cancellationToken))
        {
            keys.Add(entry.Key);
        }

        Observations.Add(new Observation(
            context.AgentId,
            state.OwnerOf(Scope.Agent),
            state.OwnerOf(Scope.Guild),
            await state.GetValueOrDefaultAsync(Scope.Agent, "visits", 0, cancellationToken),
            await state.GetValueOrDefaultAsync(Scope.Guild, "visits", 0, cancellationToken),
            await state.GetValueOrDefaultAsync(Scope.Global, "visits", 0, cancellationToken),
            keys));
    }

    public async ValueTask HandleAsync(TransactionalVisit message, AgentContext context, CancellationToken cancellationToken)
    {
        await using var tx = await context.State.BeginTransactionAsync(cancellationToken);
        var mine = await tx.GetAsync<int>(Scope.Agent, "tx-visits", cancellationToken);
        await tx.SetAsync(Scope.Agent, "tx-visits", mine.Value + 1, cancellationToken: cancellationToken);
        var guild = await tx.GetAsync<int>(Scope.Guild, "tx-visits", cancellationToken);
        await tx.SetAsync(Scope.Guild, "tx-visits", guild.Value + 1, cancellationToken: cancellationToken);
        await tx.SetAsync(Scope.Global, "tx-visits", context.AgentId, message.GlobalExpectedVersion, cancellationToken);
        try
        {
            await tx.CommitAsync(cancellationToken);
        }
        catch (StateConflictException ex)
        {
            Failures.Add(ex);
        }
    }
}

/// <summary>A message whose handling pauses until the test lets it go on.</summary>
public sealed record SlowWork;

/// <summary>
/// An agent whose handler writes agent and guild state, then waits for <see cref="Release"/>, then writes again:
/// it lets a test act while a message is in flight.
/// </summary>
public sealed class PausingAgent : IMessageHandler<SlowWork>
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
public sealed record BlindIncrement;

/// <summary>Counts <see cref="BlindIncrement"/> messages with a read, a yield and an unconditional write.</summary>
public sealed class BlindCounterAgent : IMessageHandler<BlindIncrement>
{
    public async ValueTask HandleAsync(BlindIncrement message, AgentContext context, CancellationToken cancellationToken)
    {
        var current = await context.State.GetValueOrDefaultAsync(Scope.Agent, "count", 0, cancellationToken);
        await Task.Yield();
        await context.State.SetAsync(Scope.Agent, "count", current + 1, cancellationToken: cancellationToken);
    }
}
