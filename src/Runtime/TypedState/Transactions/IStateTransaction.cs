namespace TypedState;

/// <summary>
/// A unit of work over any owners and scopes. Reads see the transaction's own writes and are repeatable;
/// writes are buffered and applied atomically by <see cref="CommitAsync"/>, which fails with a
/// <see cref="StateConflictException"/> when a record the transaction read or wrote was changed by someone
/// else meanwhile. Disposing without committing discards everything. Not thread-safe: use one transaction
/// from one logical flow.
/// </summary>
public interface IStateTransaction : IStateOperations, IAsyncDisposable, IDisposable
{
    /// <summary>Whether the transaction is still open (not committed, rolled back, failed or disposed).</summary>
    bool IsActive { get; }

    /// <summary>Applies every buffered write atomically, or none of them.</summary>
    /// <exception cref="StateConflictException">A record read or written by the transaction changed since; nothing was applied.</exception>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Discards every buffered write.</summary>
    ValueTask RollbackAsync(CancellationToken cancellationToken = default);
}
