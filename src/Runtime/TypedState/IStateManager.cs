using TypedState.Storage;

namespace TypedState;

/// <summary>
/// The scope-aware state store: get, set, delete and list by prefix for agent, guild and global state, with
/// optimistic versions, atomic transactions and owner lifetimes. Safe for concurrent use by many threads.
/// </summary>
public interface IStateManager : IStateOperations
{
    /// <summary>Starts a transaction: its reads see its own writes, and its writes apply together at commit or not at all.</summary>
    ValueTask<IStateTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes all agent state of one agent (the agent's lifetime ended).</summary>
    ValueTask RemoveAgentAsync(string guildId, string agentId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the guild's state and the agent state of every agent of the guild. Global state is untouched.</summary>
    ValueTask RemoveGuildAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a pessimistic lock on <paramref name="key"/> of <paramref name="owner"/> — or on the whole owner when
    /// <paramref name="key"/> is null — for <paramref name="lease"/>, waiting up to <paramref name="timeout"/> for
    /// the current holder to release it or for its lease to expire. Locks are advisory: write through
    /// <see cref="IStateLock.State"/> so that a holder whose lease ran out is refused.
    /// </summary>
    /// <exception cref="StateLockException">The lock stayed taken for the whole <paramref name="timeout"/>.</exception>
    ValueTask<IStateLock> AcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, TimeSpan timeout, CancellationToken cancellationToken = default);

    // Both overloads keep an optional token: a wait is a TimeSpan and a token is not, so no call is ambiguous, and
    // the shipped overload's shape stays as it was.
#pragma warning disable RS0026, RS0027
    /// <summary>Takes a pessimistic lock if it is free now; returns null when it is held.</summary>
    ValueTask<IStateLock?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a pessimistic lock, waiting up to <paramref name="waitTimeout"/> for the current holder to release it or
    /// for its lease to expire; returns null when it stayed taken for the whole wait (zero: one attempt, as the
    /// overload without a wait). The wait holds no thread and ends with an <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> fires.
    /// </summary>
    ValueTask<IStateLock?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, TimeSpan waitTimeout, CancellationToken cancellationToken = default);
#pragma warning restore RS0026, RS0027

    /// <summary>
    /// Streams the locks held now in the store (by any process) of the owners of <paramref name="scope"/>, or of every
    /// scope when it is null: owner, key, fencing token, lease end and holder (<see cref="StateManagerOptions.LockHolder"/>).
    /// Paged through the store; locks taken or released meanwhile may or may not appear. For inspection and tooling.
    /// </summary>
    IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A view of this manager whose every commit — single writes and transactions — also requires
    /// <paramref name="fence"/> to be current; a stale fence fails the commit with a <see cref="StateLockException"/>.
    /// </summary>
    IStateManager WithFence(StateFence fence);

    /// <summary>Reads the stored bytes of one record without deserializing them (for inspection and tooling).</summary>
    ValueTask<StoredRecord?> GetRecordAsync(StateOwner owner, string key, CancellationToken cancellationToken = default);

    /// <summary>Streams stored records without deserializing them (for inspection and tooling).</summary>
    IAsyncEnumerable<StoredRecord> ListRecordsAsync(StateOwner owner, string prefix, CancellationToken cancellationToken = default);
}
