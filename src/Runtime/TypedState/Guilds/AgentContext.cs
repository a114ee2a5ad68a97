using Microsoft.Extensions.Logging;

namespace TypedState.Guilds;

/// <summary>What a handler receives besides its message: who it is, its state and its guild.</summary>
public sealed class AgentContext
{
    internal AgentContext(Guild guild, string agentId, IScopedState state, ILogger logger)
    {
        Guild = guild;
        AgentId = agentId;
        State = state;
        Logger = logger;
    }

    /// <summary>The guild the agent belongs to.</summary>
    public Guild Guild { get; }

    /// <summary>The guild's id.</summary>
    public string GuildId => Guild.Id;

    /// <summary>The agent's id.</summary>
    public string AgentId { get; }

    /// <summary>
    /// State bound to this agent: <c>State.GetAsync(Scope.Agent, "visits")</c> reads this agent's own record and
    /// no other agent's.
    /// </summary>
    public IScopedState State { get; }

    /// <summary>A logger named after the agent.</summary>
    public ILogger Logger { get; }
}
