using System.Reflection;
using Microsoft.Agents.AI;

namespace TypedState.AgentFramework;

/// <summary>Finds the stable id of an agent, refusing the random id the framework gives an agent without one.</summary>
internal static class AgentIdentity
{
    // AIAgent.Id falls back to a new random GUID per instance when IdCore (protected) is null: state keyed by that
    // id would be lost at the next start, so only an id the agent was given counts.
    private static readonly PropertyInfo? s_idCore =
        typeof(AIAgent).GetProperty("IdCore", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>The agent's own id, or null when it has only the framework's random default.</summary>
    public static string? StableIdOf(AIAgent agent)
    {
        if (s_idCore is not null)
        {
            return s_idCore.GetValue(agent) as string is { Length: > 0 } id ? id : null;
        }

        // A framework without IdCore: a 32-digit hexadecimal id is what its default looks like.
        return agent.Id.Length == 32 && agent.Id.All(char.IsAsciiHexDigit) ? null : agent.Id;
    }

    /// <summary>The TypedState owner of the agent's sessions and history.</summary>
    public static StateOwner OwnerOf(AIAgent agent, AgentFrameworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var id = options.AgentIdSelector is { } select ? select(agent) : StableIdOf(agent);
        if (string.IsNullOrEmpty(id))
        {
            throw new AgentIdentityException(agent.Name, agent.Id);
        }

        return StateOwner.Agent(KeySegments.OwnerId(options.GuildId), KeySegments.OwnerId(id));
    }
}
