namespace TypedState;

/// <summary>The state an agent's handler sees as <c>context.State</c>: bound to the agent and its guild.</summary>
public interface IScopedState : IScopedStateOperations
{
    /// <summary>Starts a transaction bound to the same agent; it may span all three scopes.</summary>
    ValueTask<IScopedStateTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default);
}
