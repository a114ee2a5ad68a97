namespace TypedState;

/// <summary>A transaction bound to one agent and its guild (see <see cref="IStateTransaction"/> for the semantics).</summary>
public interface IScopedStateTransaction : IScopedStateOperations, IAsyncDisposable, IDisposable
{
    /// <summary>Whether the transaction is still open.</summary>
    bool IsActive { get; }

    /// <summary>Applies every buffered write atomically, or none of them.</summary>
    /// <returns>The records written and deleted, with the versions the store gave them.</returns>
    ValueTask<TransactionCommit> CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Discards every buffered write.</summary>
    ValueTask RollbackAsync(CancellationToken cancellationToken = default);
}
