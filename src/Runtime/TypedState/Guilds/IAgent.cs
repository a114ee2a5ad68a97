namespace TypedState.Guilds;

/// <summary>
/// An agent hosted in a <see cref="Guild"/>. An agent receives the messages of every type <c>T</c> for which it
/// implements <see cref="IMessageHandler{TMessage}"/>; the guild delivers them one at a time per agent.
/// </summary>
public interface IAgent
{
}
