using TypedState.Storage;

namespace TypedState;

/// <summary>The core's <see cref="IStateLock"/>: a grant from the driver plus the fenced view of the manager.</summary>
internal sealed class StateLock : IStateLock
{
    private readonly StateManager _manager;
    private readonly TimeSpan _lease;
    private int _released;

    public StateLock(StateManager manager, StateOwner owner, string? key, TimeSpan lease, LockGrant grant)
    {
        _manager = manager;
        _lease = lease;
        Owner = owner;
        Key = key;
        FencingToken = grant.Token;
        ExpiresAt = grant.ExpiresAt;
        Fence = new StateFence(owner, key, grant.Token);
    }

    public StateOwner Owner { get; }

    public string? Key { get; }

    public long FencingToken { get; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public StateFence Fence { get; }

    // Made on first use: most holders never write through the fenced manager.
    public IStateManager State => field ??= _manager.WithFence(Fence);

    public async ValueTask RenewAsync(TimeSpan? lease = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
        var grant = await _manager.RenewLockAsync(this, StateManager.ValidateLease(lease ?? _lease), cancellationToken).ConfigureAwait(false);
        ExpiresAt = grant.ExpiresAt;
    }

    // Not async: nothing follows the manager's release, whose task is returned as it is.
    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref _released, 1) == 0 ? _manager.ReleaseLockAsync(this, cancellationToken) : default;

    public ValueTask DisposeAsync() => ReleaseAsync(CancellationToken.None);

    public override string ToString() => $"lock on {Owner}{(Key is null ? string.Empty : $" key '{Key}'")} token {FencingToken}";
}
