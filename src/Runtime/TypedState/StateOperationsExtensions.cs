using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedState.Trimming;

namespace TypedState;

/// <summary>
/// Conveniences over <see cref="IStateOperations"/>: overloads that resolve the <see cref="JsonTypeInfo{T}"/>
/// from <see cref="IStateOperations.SerializerOptions"/>, default values, and optimistic read-modify-write.
/// </summary>
public static class StateOperationsExtensions
{
    /// <summary>Reads one record, serializing with <see cref="IStateOperations.SerializerOptions"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static ValueTask<StateEntry<T>> GetAsync<T>(this IStateOperations state, StateOwner owner, string key, CancellationToken cancellationToken = default) =>
        state.GetAsync(owner, key, TypeInfo<T>(state), cancellationToken);

    /// <summary>Stores a value, serializing with <see cref="IStateOperations.SerializerOptions"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static ValueTask<long> SetAsync<T>(this IStateOperations state, StateOwner owner, string key, T value, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        state.SetAsync(owner, key, value, TypeInfo<T>(state), expectedVersion, cancellationToken);

    /// <summary>Lists records by literal prefix, serializing with <see cref="IStateOperations.SerializerOptions"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static IAsyncEnumerable<StateEntry<T>> ListAsync<T>(this IStateOperations state, StateOwner owner, string prefix, CancellationToken cancellationToken = default) =>
        state.ListAsync(owner, prefix, TypeInfo<T>(state), cancellationToken);

    /// <summary>Reads a value, or <paramref name="defaultValue"/> when the record is absent.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static async ValueTask<T> GetValueOrDefaultAsync<T>(this IStateOperations state, StateOwner owner, string key, T defaultValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var entry = await state.GetAsync(owner, key, TypeInfo<T>(state), cancellationToken).ConfigureAwait(false);
        return entry.GetValueOrDefault(defaultValue);
    }

    /// <summary>Reads a value that must exist.</summary>
    /// <exception cref="StateNotFoundException">The record is absent.</exception>
    public static async ValueTask<StateEntry<T>> GetRequiredAsync<T>(this IStateOperations state, StateOwner owner, string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var entry = await state.GetAsync(owner, key, typeInfo, cancellationToken).ConfigureAwait(false);
        return entry.Exists ? entry : throw new StateNotFoundException(owner, key);
    }

    /// <summary>
    /// Reads the record, applies <paramref name="update"/> to its value (<c>default</c> when absent) and writes the
    /// result on the condition that nobody changed the record meanwhile; on a conflict it reads and tries again.
    /// </summary>
    /// <returns>The value written and its new version.</returns>
    /// <exception cref="StateConflictException">Every one of <paramref name="maxAttempts"/> attempts conflicted.</exception>
    public static ValueTask<StateEntry<T>> UpdateAsync<T>(this IStateOperations state, StateOwner owner, string key, Func<T?, T> update, JsonTypeInfo<T> typeInfo, int maxAttempts = OptimisticRetry.DefaultMaxAttempts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(update);
        return OptimisticRetry.UpdateAsync(
            ct => state.GetAsync(owner, key, typeInfo, ct),
            (value, expected, ct) => state.SetAsync(owner, key, value, typeInfo, expected, ct),
            owner,
            key,
            update,
            maxAttempts,
            cancellationToken);
    }

    /// <summary><see cref="UpdateAsync{T}(IStateOperations, StateOwner, string, Func{T, T}, JsonTypeInfo{T}, int, CancellationToken)"/> with <see cref="IStateOperations.SerializerOptions"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static ValueTask<StateEntry<T>> UpdateAsync<T>(this IStateOperations state, StateOwner owner, string key, Func<T?, T> update, int maxAttempts = OptimisticRetry.DefaultMaxAttempts, CancellationToken cancellationToken = default) =>
        state.UpdateAsync(owner, key, update, TypeInfo<T>(state), maxAttempts, cancellationToken);

    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    internal static JsonTypeInfo<T> TypeInfo<T>(IStateOperations state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return TypeInfoFrom<T>(state.SerializerOptions);
    }

    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    internal static JsonTypeInfo<T> TypeInfoFrom<T>(JsonSerializerOptions options)
    {
        if (options.TypeInfoResolver is null)
        {
            throw new InvalidOperationException(
                $"No JsonTypeInfo<{typeof(T).Name}> was passed and StateManagerOptions.SerializerOptions has no TypeInfoResolver: " +
                "pass a JsonTypeInfo from a JsonSerializerContext, or set a resolver.");
        }

        options.MakeReadOnly();
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }
}
