namespace TypedState;

/// <summary>
/// A loaded state value and the version it was read at: change <see cref="Value"/> and call
/// <see cref="SaveAsync"/>, which succeeds only if nobody wrote the record since (otherwise a
/// <see cref="StateConflictException"/>: load again, or use the type's <c>UpdateAsync</c>, which retries).
/// </summary>
/// <typeparam name="T">The generated state type.</typeparam>
public sealed class TrackedState<T>
    where T : IStateType<T>
{
    private readonly IScopedStateOperations? _scoped;
    private readonly IStateOperations? _store;

    internal TrackedState(IScopedStateOperations scoped, T value, long version)
    {
        _scoped = scoped;
        Owner = scoped.OwnerOf(T.Schema.Scope);
        Value = value;
        Version = version;
    }

    internal TrackedState(IStateOperations store, StateOwner owner, T value, long version)
    {
        _store = store;
        Owner = owner;
        Value = value;
        Version = version;
    }

    /// <summary>The value: as stored, or a new default instance when no record existed. Replace or change it before saving.</summary>
    public T Value { get; set; }

    /// <summary>The record version the value is based on; 0 when no record existed.</summary>
    public long Version { get; private set; }

    /// <summary>Whether a record existed when loaded (or has been saved since).</summary>
    public bool Exists => Version > 0;

    /// <summary>The owner the record belongs to (resolved from the type's scope).</summary>
    public StateOwner Owner { get; }

    /// <summary>
    /// Stores <see cref="Value"/> if the record is still at <see cref="Version"/> (absent when 0) and moves
    /// <see cref="Version"/> to the new version. Inside a transaction the write is buffered and checked at commit,
    /// and <see cref="Version"/> stays as it is.
    /// </summary>
    /// <exception cref="StateConflictException">The record was written or deleted since it was loaded.</exception>
    public async ValueTask SaveAsync(CancellationToken cancellationToken = default)
    {
        var schema = T.Schema;
        var version = _scoped is not null
            ? await _scoped.SetAsync(schema.Scope, schema.Key, Value, schema.TypeInfo, Version, cancellationToken).ConfigureAwait(false)
            : await _store!.SetAsync(Owner, schema.Key, Value, schema.TypeInfo, Version, cancellationToken).ConfigureAwait(false);
        if (version > 0)
        {
            Version = version;
        }
    }

    /// <summary>Deletes the record if it is still at <see cref="Version"/>; returns whether it existed.</summary>
    /// <exception cref="StateConflictException">The record was written since it was loaded.</exception>
    public async ValueTask<bool> DeleteAsync(CancellationToken cancellationToken = default)
    {
        var schema = T.Schema;
        var existed = _scoped is not null
            ? await _scoped.DeleteAsync(schema.Scope, schema.Key, Version, cancellationToken).ConfigureAwait(false)
            : await _store!.DeleteAsync(Owner, schema.Key, Version, cancellationToken).ConfigureAwait(false);
        Version = 0;
        return existed;
    }
}
