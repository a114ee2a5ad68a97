using TypedState.Storage;

namespace TypedState.Tool.Commands;

/// <summary>Every record of a store, owner by owner (global, then guilds, then agents), each owner's records page by page.</summary>
internal static class StoreWalk
{
    public static async IAsyncEnumerable<(StateOwner Owner, StoredRecord Record)> RecordsAsync(StateManager state, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in state.ListRecordsAsync(StateOwner.Global, string.Empty, cancellationToken).ConfigureAwait(false))
        {
            yield return (StateOwner.Global, record);
        }

        foreach (var scope in (Scope[])[Scope.Guild, Scope.Agent])
        {
            await foreach (var owner in state.Driver.ListOwnersAsync(scope, cancellationToken).ConfigureAwait(false))
            {
                await foreach (var record in state.ListRecordsAsync(owner, string.Empty, cancellationToken).ConfigureAwait(false))
                {
                    yield return (owner, record);
                }
            }
        }
    }
}
