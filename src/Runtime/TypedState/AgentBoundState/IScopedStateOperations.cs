using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TypedState;

/// <summary>
/// State operations bound to one agent of one guild: <see cref="Scope.Agent"/> reaches only this agent's own
/// state, <see cref="Scope.Guild"/> its guild's shared state, <see cref="Scope.Global"/> application state.
/// </summary>
public interface IScopedStateOperations
{
    /// <summary>The guild this accessor is bound to.</summary>
    string GuildId { get; }

    /// <summary>The agent this accessor is bound to.</summary>
    string AgentId { get; }

    /// <summary>The serializer options used by the overloads that take no <see cref="JsonTypeInfo{T}"/>.</summary>
    JsonSerializerOptions SerializerOptions { get; }

    /// <summary>The owner a scope resolves to for this agent.</summary>
    StateOwner OwnerOf(Scope scope);

    /// <summary>Reads one record of the given scope.</summary>
    ValueTask<StateEntry<T>> GetAsync<T>(Scope scope, string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default);

    /// <summary>Stores a value in the given scope, optionally expecting a version (0: absent).</summary>
    ValueTask<long> SetAsync<T>(Scope scope, string key, T value, JsonTypeInfo<T> typeInfo, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a record of the given scope; returns whether it existed.</summary>
    ValueTask<bool> DeleteAsync(Scope scope, string key, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Lists records of the given scope whose key starts with <paramref name="prefix"/>, matched literally.</summary>
    IAsyncEnumerable<StateEntry<T>> ListAsync<T>(Scope scope, string prefix, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default);
}
