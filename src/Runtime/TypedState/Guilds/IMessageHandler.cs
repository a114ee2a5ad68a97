namespace TypedState.Guilds;

/// <summary>Implemented by an agent for each message type it handles.</summary>
/// <typeparam name="TMessage">The message type.</typeparam>
public interface IMessageHandler<in TMessage> : IAgent
{
    /// <summary>Handles one message. <paramref name="context"/> carries this agent's state accessor.</summary>
    ValueTask HandleAsync(TMessage message, AgentContext context, CancellationToken cancellationToken);
}
