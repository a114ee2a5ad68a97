using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace TypedState.AgentFramework;

/// <summary>
/// Chat history on TypedState: one record per message, in commit order, under the agent's owner; the session
/// carries only its conversation id, so it stays small and the history survives the process.
/// </summary>
/// <remarks>
/// Appends are idempotent by message id: with <c>RequirePerServiceCallChatHistoryPersistence</c> the framework stores
/// after every model call of a tool loop, and a message seen before is skipped. A message without an id gets one
/// (its <see cref="ChatMessage.MessageId"/> is set) when first stored. Messages are kept as the framework's JSON in an
/// opaque string, byte-exact on every driver.
/// </remarks>
public sealed class TypedStateChatHistoryProvider : ChatHistoryProvider
{
    /// <summary>The state bag key of the session's conversation id.</summary>
    public const string SessionStateKey = "TypedState.ChatHistory";

    private static readonly JsonTypeInfo<ChatMessage> s_messageInfo =
        (JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));

    private readonly IStateManager _state;
    private readonly AgentFrameworkOptions _options;
    private readonly PayloadStore _payloads;
    private readonly ProviderSessionState<HistorySessionState> _sessionState;

    /// <summary>Creates the provider over <paramref name="state"/>.</summary>
    public TypedStateChatHistoryProvider(IStateManager state, IOptions<AgentFrameworkOptions> options)
        : this(state, options?.Value ?? new AgentFrameworkOptions())
    {
    }

    /// <summary>Creates the provider over <paramref name="state"/> with <paramref name="options"/> (defaults when null).</summary>
    public TypedStateChatHistoryProvider(IStateManager state, AgentFrameworkOptions? options)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _options = options ?? new AgentFrameworkOptions();
        if (_options.MaxHistoryMessages is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxHistoryMessages, "MaxHistoryMessages must be at least 1 (or null for all).");
        }

        _payloads = new PayloadStore(PayloadStore.ChunkBytesFor(state, _options.ChunkBytes));
        _sessionState = new ProviderSessionState<HistorySessionState>(
            static _ => new HistorySessionState { ConversationId = Guid.NewGuid().ToString("N") },
            SessionStateKey,
            StoredJsonContext.Default.Options);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateKeys { get; } = [SessionStateKey];

    /// <summary>Every stored message of <paramref name="session"/>'s conversation, oldest first.</summary>
    public ValueTask<IReadOnlyList<ChatMessage>> GetMessagesAsync(AIAgent agent, AgentSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return ReadAsync(AgentIdentity.OwnerOf(agent, _options), ConversationOf(session), limit: null, cancellationToken);
    }

    /// <summary>Removes every stored message of <paramref name="session"/>'s conversation, in one transaction.</summary>
    public async ValueTask ClearAsync(AIAgent agent, AgentSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var owner = AgentIdentity.OwnerOf(agent, _options);
        var conversationId = ConversationOf(session);
        await _state.RunTransactionAsync(
            (transaction, ct) => HistoryRecords.DeleteAsync(_state, transaction, owner, conversationId, ct),
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async ValueTask<IEnumerable<ChatMessage>> ProvideChatHistoryAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Session is null)
        {
            return [];
        }

        var owner = AgentIdentity.OwnerOf(context.Agent, _options);
        return await ReadAsync(owner, ConversationOf(context.Session), _options.MaxHistoryMessages, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async ValueTask StoreChatHistoryAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Session is null)
        {
            return;
        }

        List<ChatMessage> messages = [.. context.RequestMessages, .. context.ResponseMessages ?? []];
        if (messages.Count == 0)
        {
            return;
        }

        foreach (var message in messages)
        {
            // The id makes a repeated store of the same message (per-service-call persistence) a no-op.
            message.MessageId ??= Guid.NewGuid().ToString("N");
        }

        var owner = AgentIdentity.OwnerOf(context.Agent, _options);
        var prefix = HistoryRecords.PrefixOf(ConversationOf(context.Session));
        await _state.RunTransactionAsync(
            async (transaction, ct) =>
            {
                var head = await transaction.GetAsync(owner, HistoryRecords.HeadKey(prefix), StoredJsonContext.Default.HistoryHead, ct).ConfigureAwait(false);
                var next = head.TryGetValue(out var value) ? value.Next : 0;
                var first = next;
                HashSet<string> seen = new(StringComparer.Ordinal);
                foreach (var message in messages)
                {
                    var idKey = prefix + "id/" + KeySegments.Segment(message.MessageId!);
                    if (!seen.Add(message.MessageId!)
                        || (await transaction.GetAsync(owner, idKey, StoredJsonContext.Default.HistoryIndexEntry, ct).ConfigureAwait(false)).Exists)
                    {
                        continue;
                    }

                    var json = JsonSerializer.Serialize(message, s_messageInfo);
                    await _payloads.WriteAsync(transaction, owner, HistoryRecords.MessageKey(prefix, next), json, PayloadStore.NewEtag(), previous: null, ct).ConfigureAwait(false);
                    await transaction.SetAsync(owner, idKey, new HistoryIndexEntry { Sequence = next }, StoredJsonContext.Default.HistoryIndexEntry, cancellationToken: ct).ConfigureAwait(false);
                    next++;
                }

                if (next != first)
                {
                    await transaction.SetAsync(owner, HistoryRecords.HeadKey(prefix), new HistoryHead { Next = next }, StoredJsonContext.Default.HistoryHead, cancellationToken: ct).ConfigureAwait(false);
                }
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<IReadOnlyList<ChatMessage>> ReadAsync(StateOwner owner, string conversationId, int? limit, CancellationToken cancellationToken)
    {
        var prefix = HistoryRecords.PrefixOf(conversationId);
        var head = await _state.GetAsync(owner, HistoryRecords.HeadKey(prefix), StoredJsonContext.Default.HistoryHead, cancellationToken).ConfigureAwait(false);
        if (!head.TryGetValue(out var value))
        {
            return [];
        }

        var from = limit is { } n ? Math.Max(0, value.Next - n) : 0;
        List<ChatMessage> messages = [];
        for (var sequence = from; sequence < value.Next; sequence++)
        {
            var key = HistoryRecords.MessageKey(prefix, sequence);
            if (await PayloadStore.ReadAsync(_state, owner, key, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                messages.Add(JsonSerializer.Deserialize(stored.Text, s_messageInfo)!);
            }
        }

        // A window must not open on tool results whose calls it cut off: models refuse such a transcript.
        var skip = from > 0 ? messages.TakeWhile(m => m.Role == ChatRole.Tool).Count() : 0;
        return skip == 0 ? messages : messages[skip..];
    }

    private string ConversationOf(AgentSession session) => _sessionState.GetOrInitializeState(session).ConversationId;

}
