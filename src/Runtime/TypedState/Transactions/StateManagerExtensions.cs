namespace TypedState;

/// <summary>Transaction helpers over <see cref="IStateManager"/>.</summary>
public static class StateManagerExtensions
{
    /// <summary>
    /// The state accessor of one agent: <see cref="Scope.Agent"/> reaches only this agent's own records,
    /// <see cref="Scope.Guild"/> its guild's. This is what a guild hands its agents as <c>context.State</c>.
    /// </summary>
    public static IScopedState ForAgent(this IStateManager manager, string guildId, string agentId)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return new ScopedState(manager, guildId, agentId);
    }

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
        for (var attempt = 1; ; attempt++)
        {
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
