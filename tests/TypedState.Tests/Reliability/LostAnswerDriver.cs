using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.Tests.Reliability;

/// <summary>What the next commit through a <see cref="LostAnswerDriver"/> does.</summary>
internal enum CommitFault
{
    /// <summary>The commit reaches the store and its answer comes back.</summary>
    None,

    /// <summary>The commit is applied, then its answer is lost (a connection that breaks after the server executed it).</summary>
    ApplyThenLoseAnswer,

    /// <summary>The commit never reaches the store, and the driver cannot tell (a connection that breaks while sending).</summary>
    LoseBeforeApplying,

    /// <summary>The driver fails in a way it knows applied nothing (the server refused the connection).</summary>
    RefuseConnection,
}

/// <summary>
/// The in-memory driver behind a link whose faults the test scripts commit by commit, so that lost answers happen
/// exactly where a test wants them. Records every commit id it was sent.
/// </summary>
internal sealed class LostAnswerDriver : IStateDriver
{
    private readonly InMemoryStateDriver _inner = new();
    private readonly Queue<CommitFault> _faults = new();
    private readonly object _gate = new();

    public string Name => "lossy";

    public List<CommitId> CommitIds { get; } = [];

    /// <summary>Scripts the next commits; commits beyond the script meet no fault.</summary>
    public void Next(params CommitFault[] faults)
    {
        lock (_gate)
        {
            foreach (var fault in faults)
            {
                _faults.Enqueue(fault);
            }
        }
    }

    public async ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
    {
        CommitFault fault;
        lock (_gate)
        {
            CommitIds.Add(commitId);
            fault = _faults.TryDequeue(out var next) ? next : CommitFault.None;
        }

        switch (fault)
        {
            case CommitFault.ApplyThenLoseAnswer:
                await _inner.CommitAsync(writes, fences, commitId, cancellationToken);
                throw new CommitOutcomeUnknownException("The connection closed before the answer arrived.", new IOException("connection reset"));
            case CommitFault.LoseBeforeApplying:
                throw new CommitOutcomeUnknownException("The connection closed while the request was sent.", new IOException("broken pipe"));
            case CommitFault.RefuseConnection:
                throw new IOException("connection refused");
            default:
                return await _inner.CommitAsync(writes, fences, commitId, cancellationToken);
        }
    }

    public ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken) => _inner.ReadAsync(owner, key, cancellationToken);

    public IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, CancellationToken cancellationToken) => _inner.ListAsync(owner, prefix, cancellationToken);

    public IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, CancellationToken cancellationToken) => _inner.ListOwnersAsync(scope, cancellationToken);

    public ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken) => _inner.RemoveOwnerAsync(owner, cancellationToken);

    public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken) => _inner.TryAcquireLockAsync(owner, key, lease, holder, cancellationToken);

    public ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken) => _inner.RenewLockAsync(owner, key, token, lease, cancellationToken);

    public ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken) => _inner.ReleaseLockAsync(owner, key, token, cancellationToken);

    public IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, CancellationToken cancellationToken) => _inner.ListLocksAsync(scope, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
