namespace TypedState;

/// <summary>The <see cref="IScopedStateTransaction"/> over a state transaction.</summary>
internal sealed class ScopedStateTransaction(IStateTransaction transaction, string guildId, string agentId)
    : ScopedStateOperations(transaction, guildId, agentId), IScopedStateTransaction
{
    public bool IsActive => transaction.IsActive;

    public ValueTask<TransactionCommit> CommitAsync(CancellationToken cancellationToken = default) => transaction.CommitAsync(cancellationToken);

    public ValueTask RollbackAsync(CancellationToken cancellationToken = default) => transaction.RollbackAsync(cancellationToken);

    public void Dispose() => transaction.Dispose();

    public ValueTask DisposeAsync() => transaction.DisposeAsync();
}
