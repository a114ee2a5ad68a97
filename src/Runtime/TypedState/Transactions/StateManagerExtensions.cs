using TypedState.Observability;

namespace TypedState;

// The transaction helpers; the class's other part, ForAgent, lives with the agent-bound state in AgentBoundState/.

/// <summary>
/// Helpers over <see cref="IStateManager"/>: running work in a transaction with retries on conflict, and the state
/// accessor bound to one agent (<see cref="ForAgent"/>).
/// </summary>
public static partial class StateManagerExtensions
{
    /// <summary>
    /// Runs <paramref name="work"/> in a transaction and commits it; when the commit conflicts, runs it again in a
    /// new transaction, up to <paramref name="maxAttempts"/> times. <paramref name="work"/> must only touch state
    /// through the transaction it receives, since it may run more than once.
    /// </summary>
    public static async ValueTask<TResult> RunTransactionAsync<TResult>(
        this IStateManager manager,
        Func<IStateTransaction, CancellationToken, ValueTask<TResult>> work,
        int maxAttempts = OptimisticRetry.DefaultMaxAttempts,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        using var span = new CompositeSpan("transaction", null, null);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                span.Attempt(attempt);
                await using var transaction = await manager.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var result = await work(transaction, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return result;
                }
                catch (StateConflictException) when (attempt < maxAttempts)
                {
                    await OptimisticRetry.BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            span.Fail(ex);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction and commits it, retrying on conflicts (see
    /// <see cref="RunTransactionAsync{TResult}"/>).
    /// </summary>
    public static async ValueTask RunTransactionAsync(
        this IStateManager manager,
        Func<IStateTransaction, CancellationToken, ValueTask> work,
        int maxAttempts = OptimisticRetry.DefaultMaxAttempts,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await manager.RunTransactionAsync<bool>(
            async (transaction, ct) =>
            {
                await work(transaction, ct).ConfigureAwait(false);
                return true;
            },
            maxAttempts,
            cancellationToken).ConfigureAwait(false);
    }
}
