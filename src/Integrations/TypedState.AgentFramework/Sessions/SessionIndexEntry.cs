namespace TypedState.AgentFramework;

/// <summary>A small record per stored session, so listing an agent's sessions reads no session payloads.</summary>
internal sealed class SessionIndexEntry
{
    /// <summary>The session id of the store key, unhashed.</summary>
    public string SessionId { get; set; } = string.Empty;

    /// <summary>The partitions of the store key, unhashed.</summary>
    public Dictionary<string, string> Partitions { get; set; } = [];

    /// <summary>When the session was last saved.</summary>
    public DateTimeOffset SavedAt { get; set; }
}
