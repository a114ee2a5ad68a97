using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.Tests.Observability;

/// <summary>
/// The in-memory driver under a name of the test's choosing: listeners are process-wide and other tests run in
/// parallel, so a test tells its own spans and measurements apart by the driver tag.
/// </summary>
internal sealed class NamedDriver(string name) : IStateDriver
{
    private readonly InMemoryStateDriver _inner = new();

    public string Name => name;

    public ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken) => _inner.ReadAsync(owner, key, cancellationToken);

    public IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, CancellationToken cancellationToken) => _inner.ListAsync(owner, prefix, cancellationToken);

    public IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, CancellationToken cancellationToken) => _inner.ListOwnersAsync(scope, cancellationToken);

    public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken) => _inner.CommitAsync(writes, fences, commitId, cancellationToken);

    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken) => _inner.TryAcquireLockAsync(owner, key, lease, holder, cancellationToken);

    public ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken) => _inner.RenewLockAsync(owner, key, token, lease, cancellationToken);

    public ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken) => _inner.ReleaseLockAsync(owner, key, token, cancellationToken);

    public IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, CancellationToken cancellationToken) => _inner.ListLocksAsync(scope, cancellationToken);

    public ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken) => _inner.RemoveOwnerAsync(owner, cancellationToken);

    /// <summary>How many times the driver was disposed (it is only <see cref="IAsyncDisposable"/>).</summary>
    public int Disposals { get; private set; }

    public ValueTask DisposeAsync()
    {
        Disposals++;
        return _inner.DisposeAsync();
    }
}
