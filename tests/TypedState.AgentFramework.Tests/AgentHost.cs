using Microsoft.Agents.AI;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using TypedState.AgentFramework.Workflows;

namespace TypedState.AgentFramework.Tests;

/// <summary>One "process": a service provider over the test's store, with the framework's stores and a fake model.</summary>
internal sealed class AgentHost(ServiceProvider services)
{
    public ServiceProvider Services { get; } = services;

    public IStateManager State => Services.GetRequiredService<IStateManager>();

    public TypedStateAgentSessionStore Store => Services.GetRequiredService<TypedStateAgentSessionStore>();

    public TypedStateChatHistoryProvider History => Services.GetRequiredService<TypedStateChatHistoryProvider>();

    public TypedStateCheckpointStore CheckpointStore => Services.GetRequiredService<TypedStateCheckpointStore>();

    public CheckpointManager CheckpointManager => Services.GetRequiredService<CheckpointManager>();

    public EchoChatClient Model { get; } = new();

    /// <summary>A real agent with the id <paramref name="id"/> (null: the framework's random one), its history in TypedState.</summary>
    public ChatClientAgent Agent(string? id = "support", bool perServiceCall = false, ChatHistoryProvider? history = null) =>
        new(Model, new ChatClientAgentOptions
        {
            Id = id,
            Name = "support",
            ChatHistoryProvider = history ?? History,
            RequirePerServiceCallChatHistoryPersistence = perServiceCall,
            ChatOptions = new ChatOptions { Tools = [AIFunctionFactory.Create((string topic) => $"facts about {topic}", "lookup")] },
        });

    /// <summary>The session's JSON as the store writes it: without the instance's etag.</summary>
    public static async Task<string> SerializeAsStoredAsync(AIAgent agent, AgentSession session)
    {
        var etag = session.StateBag.GetValue<string>(TypedStateAgentSessionStore.EtagStateKey);
        session.StateBag.TryRemoveValue(TypedStateAgentSessionStore.EtagStateKey);
        var json = (await agent.SerializeSessionAsync(session)).GetRawText();
        session.StateBag.SetValue(TypedStateAgentSessionStore.EtagStateKey, etag);
        return json;
    }

    public static AgentSessionStoreKey Key(string sessionId, params (string Name, string Value)[] partitions) =>
        new(sessionId, partitions.ToDictionary(p => p.Name, p => p.Value));
}
