namespace TypedState;

/// <summary>A lock held now (its lease not yet ended by the driver's clock), as a listing of the store reports it.</summary>
/// <param name="Owner">The state owner the lock is on.</param>
/// <param name="Key">The locked key, or <see langword="null"/> for a whole-owner lock.</param>
/// <param name="Token">The lock's fencing token.</param>
/// <param name="ExpiresAt">When the lease ends unless renewed, by the driver's clock.</param>
/// <param name="Holder">
/// Who took the lock: <see cref="StateManagerOptions.LockHolder"/> of the manager that acquired it (by default the
/// machine name and process id); <see langword="null"/> for a lock taken before stores recorded holders.
/// </param>
public sealed record HeldLock(StateOwner Owner, string? Key, long Token, DateTimeOffset ExpiresAt, string? Holder);
