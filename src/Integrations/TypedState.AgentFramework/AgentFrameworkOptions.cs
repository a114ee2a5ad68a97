using Microsoft.Agents.AI;

namespace TypedState.AgentFramework;

/// <summary>Where and how the framework's sessions and chat history are kept in TypedState.</summary>
public sealed class AgentFrameworkOptions
{
    /// <summary>The guild the default owner of agents' sessions and history is in.</summary>
    public const string DefaultGuildId = "agent-framework";

    /// <summary>The default size of one record of a large payload (a session, a long message).</summary>
    public const int DefaultChunkBytes = 256 * 1024;

    /// <summary>
    /// The guild of the agents: sessions and history live under <c>StateOwner.Agent(GuildId, agentId)</c>, so
    /// removing the agent or the guild removes them. Ids longer than TypedState's id limit are hashed.
    /// </summary>
    public string GuildId { get; set; } = DefaultGuildId;

    /// <summary>
    /// Chooses the stable id of an agent. By default the id the agent was given (<c>ChatClientAgentOptions.Id</c>);
    /// an agent with only the framework's random id is refused with <see cref="AgentIdentityException"/>.
    /// </summary>
    public Func<AIAgent, string?>? AgentIdSelector { get; set; }

    /// <summary>
    /// The size of one record of a payload. A larger payload (a session with its history inside, a large tool result)
    /// is split across several records written in one transaction. Capped to the store's
    /// <c>StateManagerOptions.MaxValueBytes</c> less 256 bytes; must leave at least 1024.
    /// </summary>
    public int ChunkBytes { get; set; } = DefaultChunkBytes;

    /// <summary>
    /// The most messages of stored history given to the model per call, the latest ones (null: all). A window that
    /// would start with a tool result starts after it, so that no result is sent without its call.
    /// </summary>
    public int? MaxHistoryMessages { get; set; }
}
