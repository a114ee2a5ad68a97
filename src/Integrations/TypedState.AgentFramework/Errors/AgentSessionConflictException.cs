namespace TypedState.AgentFramework;

/// <summary>
/// A session was saved from an instance that is no longer the latest: another turn of the same session saved (or
/// deleted) it after this instance was read. Nothing was written. Read the session again with
/// <c>GetSessionAsync</c> and run the turn on it: the chat history, kept per message, already holds both turns.
/// </summary>
public sealed class AgentSessionConflictException : StateException
{
    /// <summary>Creates the exception for the session <paramref name="sessionId"/> stored at <paramref name="owner"/> and <paramref name="key"/>.</summary>
    public AgentSessionConflictException(string sessionId, StateOwner owner, string key, string reason, Exception? innerException = null)
        : base(
            $"The session '{sessionId}' was not saved: {reason} Read it again with GetSessionAsync and repeat the turn on the fresh instance.",
            owner,
            key,
            innerException)
    {
        SessionId = sessionId;
        Outcome = StateWriteOutcome.NotApplied;
    }

    /// <summary>The session id of the store key.</summary>
    public string SessionId { get; }
}
