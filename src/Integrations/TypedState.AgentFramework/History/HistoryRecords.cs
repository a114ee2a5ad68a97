using System.Globalization;

namespace TypedState.AgentFramework;

/// <summary>Where a conversation's messages are, and how a conversation is bound to a session and removed.</summary>
internal static class HistoryRecords
{
    private const string HistoryPrefix = "maf/history/";

    /// <summary>The prefix of every record of a conversation (head, messages, id index).</summary>
    public static string PrefixOf(string conversationId) => $"{HistoryPrefix}{KeySegments.Segment(conversationId)}/";

    /// <summary>The key of a conversation's head record.</summary>
    public static string HeadKey(string prefix) => prefix + "head";

    /// <summary>The key of message <paramref name="sequence"/>: zero-padded, so key order is sequence order.</summary>
    public static string MessageKey(string prefix, long sequence) =>
        string.Concat(prefix, "m/", sequence.ToString("D12", CultureInfo.InvariantCulture));

    /// <summary>
    /// Gives a session without a conversation one named after its store key, so that every instance of the session
    /// (and a session re-created under the same key) shares one history.
    /// </summary>
    public static void Bind(Microsoft.Agents.AI.AgentSession session, string storePath)
    {
        if (!session.StateBag.TryGetValue<HistorySessionState>(TypedStateChatHistoryProvider.SessionStateKey, out var state, StoredJsonContext.Default.Options)
            || state is null)
        {
            session.StateBag.SetValue(
                TypedStateChatHistoryProvider.SessionStateKey,
                new HistorySessionState { ConversationId = "session:" + storePath },
                StoredJsonContext.Default.Options);
        }
    }

    /// <summary>Buffers the deletion of every record of a conversation in <paramref name="transaction"/>.</summary>
    public static async ValueTask DeleteAsync(IStateManager state, IStateTransaction transaction, StateOwner owner, string conversationId, CancellationToken cancellationToken)
    {
        var prefix = PrefixOf(conversationId);

        // Reading the head makes a concurrent append conflict with the deletion instead of surviving half of it.
        await transaction.GetAsync(owner, HeadKey(prefix), StoredJsonContext.Default.HistoryHead, cancellationToken).ConfigureAwait(false);
        foreach (var listed in new[] { prefix, PayloadStore.PartsPrefix(prefix) })
        {
            await foreach (var record in state.ListRecordsAsync(owner, listed, cancellationToken).ConfigureAwait(false))
            {
                await transaction.DeleteAsync(owner, record.Key, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
