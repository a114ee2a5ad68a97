namespace TypedState.Storage;

/// <summary>
/// A batch precondition from a pessimistic lock: the batch applies only if no lock covering the fence's
/// resource has been granted with a newer token since. Covering locks of a key fence are the owner lock and the
/// lock on that key; of an owner fence, every lock of the owner.
/// </summary>
/// <param name="Owner">The owner of the locked resource.</param>
/// <param name="Key">The locked key, or <see langword="null"/> for a whole-owner lock.</param>
/// <param name="Token">The fencing token the lock was granted with.</param>
public readonly record struct StateFence(StateOwner Owner, string? Key, long Token);
