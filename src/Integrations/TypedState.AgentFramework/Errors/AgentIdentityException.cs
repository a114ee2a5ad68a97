namespace TypedState.AgentFramework;

/// <summary>
/// An agent without a stable id was given to a TypedState store. Microsoft Agent Framework gives such an agent a new
/// random id per instance, so its sessions and history would be lost at the next start: give the agent an id
/// (<c>ChatClientAgentOptions.Id</c>) or set <see cref="AgentFrameworkOptions.AgentIdSelector"/>.
/// </summary>
public sealed class AgentIdentityException : StateException
{
    /// <summary>Creates the exception for the agent named <paramref name="agentName"/> with the random id <paramref name="randomId"/>.</summary>
    public AgentIdentityException(string? agentName, string randomId)
        : base(
            $"The agent {(agentName is null ? "without a name" : $"'{agentName}'")} has no stable id: Microsoft Agent Framework gave this instance the random id " +
            $"'{randomId}', which the next process will not have, so its sessions and chat history could never be found again. " +
            "Give the agent an id (ChatClientAgentOptions.Id) or set AgentFrameworkOptions.AgentIdSelector. Nothing was read or written.",
            owner: null,
            key: null)
    {
        AgentName = agentName;
        RandomId = randomId;
    }

    /// <summary>The agent's name, when it has one.</summary>
    public string? AgentName { get; }

    /// <summary>The random id the framework gave the agent instance.</summary>
    public string RandomId { get; }
}
