using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using TypedState.Trimming;

namespace TypedState;

/// <summary>
/// Conveniences over <see cref="IScopedStateOperations"/>, matching <see cref="StateOperationsExtensions"/>:
/// <c>await ctx.State.GetValueOrDefaultAsync(Scope.Agent, "visits", 0)</c>.
/// </summary>
public static class ScopedStateExtensions
{
    /// <summary>Reads one record, serializing with <see cref="IScopedStateOperations.SerializerOptions"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static ValueTask<StateEntry<T>> GetAsync<T>(this IScopedStateOperations state, Scope scope, string key, CancellationToken cancellationToken = default) =>
        state.GetAsync(scope, key, TypeInfo<T>(state), cancellationToken);

    /// <summary>Stores a value, serializing with <see cref="IScopedStateOperations.SerializerOptions"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static ValueTask<long> SetAsync<T>(this IScopedStateOperations state, Scope scope, string key, T value, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        state.SetAsync(scope, key, value, TypeInfo<T>(state), expectedVersion, cancellationToken);

    /// <summary>Lists records by literal prefix, serializing with <see cref="IScopedStateOperations.SerializerOptions"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static IAsyncEnumerable<StateEntry<T>> ListAsync<T>(this IScopedStateOperations state, Scope scope, string prefix, CancellationToken cancellationToken = default) =>
        state.ListAsync(scope, prefix, TypeInfo<T>(state), cancellationToken);

    /// <summary>Reads a value, or <paramref name="defaultValue"/> when the record is absent.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static async ValueTask<T> GetValueOrDefaultAsync<T>(this IScopedStateOperations state, Scope scope, string key, T defaultValue, CancellationToken cancellationToken = default)
    {
        var entry = await state.GetAsync(scope, key, TypeInfo<T>(state), cancellationToken).ConfigureAwait(false);
        return entry.GetValueOrDefault(defaultValue);
    }

    /// <summary>Optimistic read-modify-write with retries on conflict (see <see cref="OptimisticRetry"/>).</summary>
    public static ValueTask<StateEntry<T>> UpdateAsync<T>(this IScopedStateOperations state, Scope scope, string key, Func<T?, T> update, JsonTypeInfo<T> typeInfo, int maxAttempts = OptimisticRetry.DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        return OptimisticRetry.UpdateAsync(
            ct => state.GetAsync(scope, key, typeInfo, ct),
            (value, expected, ct) => state.SetAsync(scope, key, value, typeInfo, expected, ct),
            Enum.IsDefined(scope) ? state.OwnerOf(scope) : null,
            key,
            update,
            maxAttempts,
            cancellationToken);
    }

    /// <summary>Optimistic read-modify-write with <see cref="IScopedStateOperations.SerializerOptions"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static ValueTask<StateEntry<T>> UpdateAsync<T>(this IScopedStateOperations state, Scope scope, string key, Func<T?, T> update, int maxAttempts = OptimisticRetry.DefaultMaxAttempts, CancellationToken cancellationToken = default) =>
        state.UpdateAsync(scope, key, update, TypeInfo<T>(state), maxAttempts, cancellationToken);

    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    private static JsonTypeInfo<T> TypeInfo<T>(IScopedStateOperations state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return StateOperationsExtensions.TypeInfoFrom<T>(state.SerializerOptions);
    }
}
