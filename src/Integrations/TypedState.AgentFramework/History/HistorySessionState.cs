namespace TypedState.AgentFramework;

/// <summary>What a session carries for its history (in its state bag): the conversation its messages are stored under.</summary>
internal sealed class HistorySessionState
{
    /// <summary>The conversation id, chosen when the session first reached the provider.</summary>
    public string ConversationId { get; set; } = string.Empty;
}
