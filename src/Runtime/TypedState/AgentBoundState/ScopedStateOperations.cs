using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TypedState;

/// <summary>Resolves a <see cref="Scope"/> to this agent's owner and forwards to owner-based operations.</summary>
internal abstract class ScopedStateOperations : IScopedStateOperations
{
    private readonly IStateOperations _inner;
    private readonly StateOwner _agent;
    private readonly StateOwner _guild;

    protected ScopedStateOperations(IStateOperations inner, string guildId, string agentId)
    {
        _inner = inner;
        _agent = StateOwner.Agent(guildId, agentId);
        _guild = StateOwner.Guild(guildId);
    }

    public string GuildId => _agent.GuildIdOrEmpty;

    public string AgentId => _agent.AgentIdOrEmpty;

    public JsonSerializerOptions SerializerOptions => _inner.SerializerOptions;

    public StateOwner OwnerOf(Scope scope) => scope switch
    {
        Scope.Agent => _agent,
        Scope.Guild => _guild,
        Scope.Global => StateOwner.Global,
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown scope."),
    };

    public ValueTask<StateEntry<T>> GetAsync<T>(Scope scope, string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        _inner.GetAsync(OwnerOf(scope), key, typeInfo, cancellationToken);

    public ValueTask<long> SetAsync<T>(Scope scope, string key, T value, JsonTypeInfo<T> typeInfo, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        _inner.SetAsync(OwnerOf(scope), key, value, typeInfo, expectedVersion, cancellationToken);

    public ValueTask<bool> DeleteAsync(Scope scope, string key, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        _inner.DeleteAsync(OwnerOf(scope), key, expectedVersion, cancellationToken);

    public IAsyncEnumerable<StateEntry<T>> ListAsync<T>(Scope scope, string prefix, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        _inner.ListAsync(OwnerOf(scope), prefix, typeInfo, cancellationToken);
}
