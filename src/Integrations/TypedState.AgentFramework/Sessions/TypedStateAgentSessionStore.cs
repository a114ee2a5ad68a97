using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.Options;

namespace TypedState.AgentFramework;

/// <summary>
/// Microsoft Agent Framework's session store on TypedState: sessions survive restarts on SQLite, PostgreSQL, Redis
/// or in memory, under the agent's owner (<c>StateOwner.Agent(GuildId, agentId)</c>).
/// </summary>
/// <remarks>
/// <para>A session is stored as the framework's JSON, kept as an opaque string (byte-exact on every driver, PostgreSQL's
/// jsonb included) and split across records written in one transaction when it outgrows one record. Every partition
/// of the key is part of the session's identity; long ids are hashed into the key.</para>
/// <para>Saves are optimistic: an instance remembers the write it was read from (in its state bag), and saving it
/// after another instance of the same session was saved or the session deleted throws
/// <see cref="AgentSessionConflictException"/> and writes nothing.</para>
/// </remarks>
public sealed class TypedStateAgentSessionStore : AgentSessionStore
{
    /// <summary>The state bag key under which a session instance remembers the write it was read from.</summary>
    public const string EtagStateKey = "TypedState.SessionEtag";

    private const string SessionsPrefix = "maf/sessions/";
    private const string IndexPrefix = "maf/session-index/";

    private readonly IStateManager _state;
    private readonly AgentFrameworkOptions _options;
    private readonly PayloadStore _payloads;

    /// <summary>Creates the store over <paramref name="state"/>.</summary>
    public TypedStateAgentSessionStore(IStateManager state, IOptions<AgentFrameworkOptions> options)
        : this(state, options?.Value ?? new AgentFrameworkOptions())
    {
    }

    /// <summary>Creates the store over <paramref name="state"/> with <paramref name="options"/> (defaults when null).</summary>
    public TypedStateAgentSessionStore(IStateManager state, AgentFrameworkOptions? options)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _options = options ?? new AgentFrameworkOptions();
        _payloads = new PayloadStore(PayloadStore.ChunkBytesFor(state, _options.ChunkBytes));
    }

    /// <inheritdoc/>
    public override async ValueTask SaveSessionAsync(AIAgent agent, AgentSessionStoreKey key, AgentSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(session);
        var owner = AgentIdentity.OwnerOf(agent, _options);
        var (sessionKey, indexKey) = KeysOf(key);

        // The etag is the instance's, not the session's: it stays out of the stored JSON.
        HistoryRecords.Bind(session, PathOf(key));
        var readFrom = session.StateBag.TryGetValue<string>(EtagStateKey, out var etag, StoredJsonContext.Default.Options) ? etag : null;
        string json;
        session.StateBag.TryRemoveValue(EtagStateKey);
        try
        {
            json = (await agent.SerializeSessionAsync(session, cancellationToken: cancellationToken).ConfigureAwait(false)).GetRawText();
        }
        finally
        {
            if (readFrom is not null)
            {
                session.StateBag.SetValue(EtagStateKey, readFrom, StoredJsonContext.Default.Options);
            }
        }

        var written = PayloadStore.NewEtag();
        await using (var transaction = await _state.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            var current = await transaction.GetAsync(owner, sessionKey, StoredJsonContext.Default.PayloadHead, cancellationToken).ConfigureAwait(false);
            var currentEtag = current.TryGetValue(out var head) ? head.Etag : null;
            if (currentEtag != readFrom)
            {
                throw new AgentSessionConflictException(key.SessionId, owner, sessionKey, Describe(readFrom, currentEtag));
            }

            await _payloads.WriteAsync(transaction, owner, sessionKey, json, written, head, cancellationToken).ConfigureAwait(false);
            var entry = new SessionIndexEntry
            {
                SessionId = key.SessionId,
                Partitions = key.Partitions is null ? [] : new Dictionary<string, string>(key.Partitions, StringComparer.Ordinal),
                SavedAt = DateTimeOffset.UtcNow,
            };
            await transaction.SetAsync(owner, indexKey, entry, StoredJsonContext.Default.SessionIndexEntry, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (StateConflictException ex)
            {
                throw new AgentSessionConflictException(key.SessionId, owner, sessionKey, "another turn saved or deleted the session while this one was being saved.", ex);
            }
        }

        session.StateBag.SetValue(EtagStateKey, written, StoredJsonContext.Default.Options);
    }

    /// <inheritdoc/>
    public override async ValueTask<AgentSession?> GetSessionAsync(AIAgent agent, AgentSessionStoreKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var owner = AgentIdentity.OwnerOf(agent, _options);
        var (sessionKey, _) = KeysOf(key);
        if (await PayloadStore.ReadAsync(_state, owner, sessionKey, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return null;
        }

        // A new instance per call: concurrent branches of one session never share state.
        using var document = JsonDocument.Parse(stored.Text);
        var session = await agent.DeserializeSessionAsync(document.RootElement, cancellationToken: cancellationToken).ConfigureAwait(false);
        session.StateBag.SetValue(EtagStateKey, stored.Etag, StoredJsonContext.Default.Options);
        return session;
    }

    /// <summary>
    /// The stored session, or a new one bound to the key's conversation: the history of a session that was
    /// created, used and never saved is found again under the same key.
    /// </summary>
    public override async ValueTask<AgentSession> GetOrCreateSessionAsync(AIAgent agent, AgentSessionStoreKey key, CancellationToken cancellationToken = default)
    {
        if (await GetSessionAsync(agent, key, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }

        ArgumentNullException.ThrowIfNull(agent);
        var session = await agent.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
        HistoryRecords.Bind(session, PathOf(key));
        return session;
    }

    /// <summary>Deletes the session and the chat history of the conversation named after its key; an unknown session is a no-op.</summary>
    public override async ValueTask DeleteSessionAsync(AIAgent agent, AgentSessionStoreKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var owner = AgentIdentity.OwnerOf(agent, _options);
        var (sessionKey, indexKey) = KeysOf(key);
        await _state.RunTransactionAsync(
            async (transaction, ct) =>
            {
                await HistoryRecords.DeleteAsync(_state, transaction, owner, "session:" + PathOf(key), ct).ConfigureAwait(false);
                var current = await transaction.GetAsync(owner, sessionKey, StoredJsonContext.Default.PayloadHead, ct).ConfigureAwait(false);
                if (!current.TryGetValue(out var head))
                {
                    return;
                }

                await PayloadStore.DeleteAsync(transaction, owner, sessionKey, head, ct).ConfigureAwait(false);
                await transaction.DeleteAsync(owner, indexKey, cancellationToken: ct).ConfigureAwait(false);
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The sessions <paramref name="agent"/> has in the store, in key order; with <paramref name="partitions"/>, only
    /// those whose key has every one of these partitions.
    /// </summary>
    public async IAsyncEnumerable<StoredAgentSession> ListSessionsAsync(
        AIAgent agent,
        IReadOnlyDictionary<string, string>? partitions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var owner = AgentIdentity.OwnerOf(agent, _options);
        await foreach (var entry in _state.ListAsync(owner, IndexPrefix, StoredJsonContext.Default.SessionIndexEntry, cancellationToken).ConfigureAwait(false))
        {
            var value = entry.Value!;
            if (partitions is not null && partitions.Any(p => !value.Partitions.TryGetValue(p.Key, out var v) || v != p.Value))
            {
                continue;
            }

            yield return new StoredAgentSession(new AgentSessionStoreKey(value.SessionId, value.Partitions), value.SavedAt);
        }
    }

    private static string PathOf(AgentSessionStoreKey key) => $"{KeySegments.Partitions(key.Partitions)}/{KeySegments.Segment(key.SessionId)}";

    private static (string Session, string Index) KeysOf(AgentSessionStoreKey key)
    {
        var path = PathOf(key);
        return (SessionsPrefix + path, IndexPrefix + path);
    }

    private static string Describe(string? readFrom, string? current) => (readFrom, current) switch
    {
        (null, _) => "a session with this key is already stored, and this instance was not read from the store (it was created).",
        (_, null) => "the session was deleted after this instance was read.",
        _ => "another turn saved the session after this instance was read.",
    };
}
