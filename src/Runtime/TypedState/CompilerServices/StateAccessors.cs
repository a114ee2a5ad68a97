using System.ComponentModel;

namespace TypedState.CompilerServices;

/// <summary>
/// The implementation behind the typed accessors the generator emits on each state type (<c>LoadAsync</c>,
/// <c>SaveAsync</c>, <c>UpdateAsync</c>, <c>DeleteAsync</c>); call those instead. The scope comes from the type's
/// schema, so an agent-scoped type always resolves to the agent the accessor is bound to.
/// </summary>
/// <remarks>For the code the TypedState generator emits; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class StateAccessors
{
    /// <summary>Loads the record of <typeparamref name="T"/> for the owner its scope resolves to; a default instance when absent.</summary>
    public static async ValueTask<TrackedState<T>> LoadAsync<T>(IScopedStateOperations state, CancellationToken cancellationToken)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(state);
        var schema = T.Schema;
        var entry = await state.GetAsync(schema.Scope, schema.Key, schema.TypeInfo, cancellationToken).ConfigureAwait(false);
        return new TrackedState<T>(state, ValueOrDefault(entry), entry.Version);
    }

    /// <summary>Loads the record of <typeparamref name="T"/> of an explicit owner of the type's scope.</summary>
    public static async ValueTask<TrackedState<T>> LoadAsync<T>(IStateOperations store, StateOwner owner, CancellationToken cancellationToken)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(store);
        var schema = T.Schema;
        EnsureScope<T>(owner);
        var entry = await store.GetAsync(owner, schema.Key, schema.TypeInfo, cancellationToken).ConfigureAwait(false);
        return new TrackedState<T>(store, owner, ValueOrDefault(entry), entry.Version);
    }

    /// <summary>Stores a value, expecting the record at <paramref name="expectedVersion"/> (0: absent; null: any).</summary>
    public static ValueTask<long> SaveAsync<T>(IScopedStateOperations state, T value, long? expectedVersion, CancellationToken cancellationToken)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(state);
        var schema = T.Schema;
        return state.SetAsync(schema.Scope, schema.Key, value, schema.TypeInfo, expectedVersion, cancellationToken);
    }

    /// <summary>Stores a value of an explicit owner of the type's scope.</summary>
    public static ValueTask<long> SaveAsync<T>(IStateOperations store, StateOwner owner, T value, long? expectedVersion, CancellationToken cancellationToken)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(store);
        EnsureScope<T>(owner);
        return store.SetAsync(owner, T.Schema.Key, value, T.Schema.TypeInfo, expectedVersion, cancellationToken);
    }

    /// <summary>Deletes the record; returns whether it existed.</summary>
    public static ValueTask<bool> DeleteAsync<T>(IScopedStateOperations state, long? expectedVersion, CancellationToken cancellationToken)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.DeleteAsync(T.Schema.Scope, T.Schema.Key, expectedVersion, cancellationToken);
    }

    /// <summary>Deletes the record of an explicit owner of the type's scope.</summary>
    public static ValueTask<bool> DeleteAsync<T>(IStateOperations store, StateOwner owner, long? expectedVersion, CancellationToken cancellationToken)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(store);
        EnsureScope<T>(owner);
        return store.DeleteAsync(owner, T.Schema.Key, expectedVersion, cancellationToken);
    }

    /// <summary>
    /// Loads (a default instance when absent), applies <paramref name="change"/> and saves expecting the loaded
    /// version; on a conflict it loads again and re-applies the change (see <see cref="OptimisticRetry"/>).
    /// </summary>
    public static async ValueTask<TrackedState<T>> UpdateAsync<T>(IScopedStateOperations state, Func<T, T> change, CancellationToken cancellationToken)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(change);
        var schema = T.Schema;
        var entry = await OptimisticRetry.UpdateAsync(
            async ct => OrDefault(await state.GetAsync(schema.Scope, schema.Key, schema.TypeInfo, ct).ConfigureAwait(false)),
            (value, expected, ct) => state.SetAsync(schema.Scope, schema.Key, value, schema.TypeInfo, expected, ct),
            state.OwnerOf(schema.Scope),
            schema.Key,
            current => change(current!),
            OptimisticRetry.DefaultMaxAttempts,
            cancellationToken).ConfigureAwait(false);
        return new TrackedState<T>(state, entry.Value!, entry.Version);
    }

    /// <summary>The same as <see cref="UpdateAsync{T}(IScopedStateOperations, Func{T, T}, CancellationToken)"/> for an explicit owner.</summary>
    public static async ValueTask<TrackedState<T>> UpdateAsync<T>(IStateOperations store, StateOwner owner, Func<T, T> change, CancellationToken cancellationToken)
        where T : IStateType<T>
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(change);
        EnsureScope<T>(owner);
        var schema = T.Schema;
        var entry = await OptimisticRetry.UpdateAsync(
            async ct => OrDefault(await store.GetAsync(owner, schema.Key, schema.TypeInfo, ct).ConfigureAwait(false)),
            (value, expected, ct) => store.SetAsync(owner, schema.Key, value, schema.TypeInfo, expected, ct),
            owner,
            schema.Key,
            current => change(current!),
            OptimisticRetry.DefaultMaxAttempts,
            cancellationToken).ConfigureAwait(false);
        return new TrackedState<T>(store, owner, entry.Value!, entry.Version);
    }

    /// <summary>The state an agent's context is bound to.</summary>
    public static IScopedState StateOf(Guilds.AgentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.State;
    }

    /// <summary>A change that mutates the value in place, as the function <c>UpdateAsync</c> takes.</summary>
    public static Func<T, T> Mutating<T>(Action<T> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return value =>
        {
            change(value);
            return value;
        };
    }

    /// <summary>
    /// An absent record (or one holding null) as a new default instance at its version (0 when absent), so that an
    /// update starts from what <c>LoadAsync</c> gives: the plain update passes <c>default(T)</c> for an absent record,
    /// which for a struct skips its constructor and initializers.
    /// </summary>
    private static StateEntry<T> OrDefault<T>(StateEntry<T> entry)
        where T : IStateType<T> =>
        entry.Exists && entry.Value is not null ? entry : new StateEntry<T>(entry.Key, true, T.CreateDefault(), entry.Version);

    private static T ValueOrDefault<T>(StateEntry<T> entry)
        where T : IStateType<T> =>
        entry.Exists && entry.Value is { } value ? value : T.CreateDefault();

    private static void EnsureScope<T>(StateOwner owner)
        where T : IStateType<T>
    {
        if (owner.Scope != T.Schema.Scope)
        {
            throw new ArgumentException($"{typeof(T).Name} is {T.Schema.Scope} state; the owner given is of scope {owner.Scope}.", nameof(owner));
        }
    }
}
