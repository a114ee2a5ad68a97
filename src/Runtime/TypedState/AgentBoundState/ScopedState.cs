namespace TypedState;

/// <summary>The <see cref="IScopedState"/> over a state manager.</summary>
internal sealed class ScopedState(IStateManager manager, string guildId, string agentId)
    : ScopedStateOperations(manager, guildId, agentId), IScopedState
{
    public async ValueTask<IScopedStateTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default)
    {
        var transaction = await manager.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        return new ScopedStateTransaction(transaction, GuildId, AgentId);
    }
}
