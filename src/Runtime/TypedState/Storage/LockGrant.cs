namespace TypedState.Storage;

/// <summary>A granted lock as a driver reports it.</summary>
/// <param name="Token">
/// The fencing token: greater than every token granted before for any lock of the same owner, even after
/// releases, expiries and owner removal.
/// </param>
/// <param name="ExpiresAt">When the lease ends unless renewed, by the driver's clock.</param>
public readonly record struct LockGrant(long Token, DateTimeOffset ExpiresAt);
