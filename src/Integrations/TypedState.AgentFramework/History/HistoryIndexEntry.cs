namespace TypedState.AgentFramework;

/// <summary>Maps a message id to the message's sequence number: an append of a stored message id is skipped.</summary>
internal sealed class HistoryIndexEntry
{
    /// <summary>The stored message's sequence number.</summary>
    public long Sequence { get; set; }
}
