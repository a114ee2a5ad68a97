using TypedState.Storage;

namespace TypedState;

// Raw JSON inside a transaction: buffered like any set, and read (and checked at commit) like any read.
internal sealed partial class StateTransaction
{
    public ValueTask<long> SetJsonAsync(StateOwner owner, string key, ReadOnlyMemory<byte> utf8Json, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        cancellationToken.ThrowIfCancellationRequested();
        _manager.ValidateKey(owner, key);
        StateManager.ValidateExpectedVersion(expectedVersion);
        return Buffer(owner, key, _manager.CheckJson(owner, key, utf8Json), expectedVersion);
    }

    public async ValueTask<StateEntry<ReadOnlyMemory<byte>>> GetJsonAsync(StateOwner owner, string key, CancellationToken cancellationToken = default)
    {
        EnsureActive();
        _manager.ValidateKey(owner, key);
        var pending = await ObserveAsync(owner, key, cancellationToken).ConfigureAwait(false);
        return pending.Write switch
        {
            StateWriteKind.Set => new StateEntry<ReadOnlyMemory<byte>>(key, true, pending.WriteBytes, pending.BaseVersion),
            StateWriteKind.Delete => new StateEntry<ReadOnlyMemory<byte>>(key, false, default, 0),
            _ when pending.ReadVersion > 0 => _manager.JsonEntry(owner, key, pending.ReadBytes, pending.ReadVersion),
            _ => new StateEntry<ReadOnlyMemory<byte>>(key, false, default, 0),
        };
    }
}
