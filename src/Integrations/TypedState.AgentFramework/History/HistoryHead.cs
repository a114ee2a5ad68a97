namespace TypedState.AgentFramework;

/// <summary>
/// The head of a conversation's history: every append reads and rewrites it in its transaction, so appends are
/// serialized and sequence numbers follow commit order.
/// </summary>
internal sealed class HistoryHead
{
    /// <summary>The sequence number the next message gets.</summary>
    public long Next { get; set; }
}
