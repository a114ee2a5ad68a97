using TypedState.Storage;

namespace TypedState;

/// <summary>
/// A held pessimistic lock on one key of an owner, or on the whole owner, for a lease time. Writes made through
/// <see cref="State"/> carry the lock's fencing token, so once the lease has expired and someone else got the
/// lock, they are refused instead of overwriting the new holder's work. Disposing releases the lock.
/// </summary>
public interface IStateLock : IAsyncDisposable
{
    /// <summary>The owner of the locked resource.</summary>
    StateOwner Owner { get; }

    /// <summary>The locked key, or null for a whole-owner lock.</summary>
    string? Key { get; }

    /// <summary>The fencing token: greater than that of every earlier lock of the same owner.</summary>
    long FencingToken { get; }

    /// <summary>When the lease ends unless renewed (by the driver's clock).</summary>
    DateTimeOffset ExpiresAt { get; }

    /// <summary>The fence that writes under this lock carry.</summary>
    StateFence Fence { get; }

    /// <summary>The state manager whose every commit (single writes and transactions) is fenced by this lock.</summary>
    IStateManager State { get; }

    /// <summary>Extends the lease (by the original lease time when <paramref name="lease"/> is null).</summary>
    /// <exception cref="StateLockException">The lease had already expired (<see cref="StateLockFailure.Lost"/>).</exception>
    ValueTask RenewAsync(TimeSpan? lease = null, CancellationToken cancellationToken = default);

    /// <summary>Releases the lock. Releasing twice, or after the lease expired, does nothing.</summary>
    ValueTask ReleaseAsync(CancellationToken cancellationToken = default);
}
