using TypedState.Guilds;

namespace TypedState.Testing;

/// <summary>A visit: the agent counts it in its own, its guild's and the global state.</summary>
internal sealed record Visit(string From);

/// <summary>Asks the agent to report what it sees in each scope.</summary>
internal sealed record Report;

/// <summary>
/// Asks the agent to write three scopes in one scoped transaction, the global write expecting a version (null: any);
/// <paramref name="WithinGuild"/> writes that record to its guild instead (key <c>tx-visitor</c>), so all stays in one root.
/// </summary>
internal sealed record TransactionalVisit(long? GlobalExpectedVersion, bool WithinGuild = false);

/// <summary>What an agent saw, captured for the test to assert.</summary>
internal sealed record Observation(string AgentId, StateOwner AgentOwner, StateOwner GuildOwner, int Visits, int GuildVisits, int GlobalVisits, IReadOnlyList<string> AgentKeys);

/// <summary>
/// An agent that counts visits in all three scopes through <see cref="AgentContext.State"/>, the way user code does.
/// </summary>
internal sealed class VisitCounterAgent : IMessageHandler<Visit>, IMessageHandler<Report>, IMessageHandler<TransactionalVisit>
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
        if (message.WithinGuild)
        {
            await tx.SetAsync(Scope.Guild, "tx-visitor", context.AgentId, message.GlobalExpectedVersion, cancellationToken);
        }
        else
        {
            await tx.SetAsync(Scope.Global, "tx-visits", context.AgentId, message.GlobalExpectedVersion, cancellationToken);
        }

        try
        {
            await tx.CommitAsync(cancellationToken);
        }
        catch (StateException ex)
        {
            Failures.Add(ex);
        }
    }
}
