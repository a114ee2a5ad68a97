using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TypedState.Timeline;

namespace TypedState.Guilds;

/// <summary>
/// A group of cooperating agents with shared guild state. Messages are delivered in-process; each agent handles
/// one message at a time, so its handlers never race on its own agent state.
/// </summary>
public sealed class Guild
{
    private readonly ConcurrentDictionary<string, AgentSlot> _agents = new(StringComparer.Ordinal);
    private readonly GuildHost _host;
    private readonly ILoggerFactory _loggerFactory;
    private volatile bool _stopped;
    private volatile bool _paused;
    private long _lastSnapshotAt;

    internal Guild(GuildHost host, string id, GuildOptions options, ILoggerFactory loggerFactory)
    {
        _host = host;
        Id = id;
        Options = options;
        _loggerFactory = loggerFactory;
    }

    /// <summary>How the guild runs.</summary>
    public GuildOptions Options { get; }

    /// <summary>Whether <see cref="PauseAsync"/> stopped delivery in this host (until <see cref="ResumeAsync"/>).</summary>
    public bool IsPaused => _paused;

    /// <summary>The guild's id.</summary>
    public string Id { get; }

    /// <summary>The ids of the agents currently in the guild (an agent being removed is no longer one of them).</summary>
    public IReadOnlyCollection<string> AgentIds => [.. _agents.Where(agent => !agent.Value.Retired).Select(agent => agent.Key)];

    /// <summary>Adds an agent; its agent state from earlier runs is available to it at once.</summary>
    /// <exception cref="InvalidOperationException">
    /// The id is taken (also while an agent of that id is being removed), or the guild was stopped.
    /// </exception>
    public void AddAgent(string agentId, IAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        EnsureRunning();
        var state = _host.State.ForAgent(Id, agentId);
        var logger = _loggerFactory.CreateLogger($"TypedState.Guilds.{Id}.{agentId}");
        var slot = new AgentSlot(agent, new AgentContext(this, agentId, state, logger));
        if (!_agents.TryAdd(agentId, slot))
        {
            throw new InvalidOperationException($"Guild '{Id}' already has an agent '{agentId}'.");
        }
    }

    /// <summary>Removes an agent and deletes its agent state (its lifetime ended).</summary>
    /// <remarks>
    /// The agent gets no message from the moment the removal begins: a handler already running finishes first (the
    /// removal waits for it, so no handler writes after the state is gone); a message that has not reached the agent
    /// yet is not delivered — <see cref="PublishAsync{TMessage}"/> skips the agent and
    /// <see cref="SendAsync{TMessage}"/> throws <see cref="KeyNotFoundException"/>, as for an agent that was never in
    /// the guild. Calling it from the agent's own handler never completes, as the removal waits for that handler.
    /// Concurrent removals of one agent all wait for its running handler before they delete anything. The id stays
    /// taken until a removal completes. If <paramref name="cancellationToken"/> cancels the wait, the agent stays
    /// removed (it gets no message) but its state is kept and its id taken; calling <see cref="RemoveAgentAsync"/>
    /// again finishes the removal.
    /// </remarks>
    /// <returns>Whether this call removed the agent: false when it was not in the guild or another call removed it first.</returns>
    public async ValueTask<bool> RemoveAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        var removedHere = false;
        if (_agents.TryGetValue(agentId, out var slot))
        {
            // The slot stays in the guild until the state is gone, so that every removal finds it and waits for
            // the handler: one that found no slot could delete the state while the handler still writes.
            removedHere = slot.Retire();
            await slot.RetireAsync(cancellationToken).ConfigureAwait(false);
        }

        await _host.State.RemoveAgentAsync(Id, agentId, cancellationToken).ConfigureAwait(false);
        if (slot is not null)
        {
            _agents.TryRemove(new KeyValuePair<string, AgentSlot>(agentId, slot));
        }

        return removedHere;
    }

    /// <summary>Delivers a message to one agent and waits until it is handled.</summary>
    /// <exception cref="KeyNotFoundException">
    /// No such agent, or the agent was removed (<see cref="RemoveAgentAsync"/>) before the message reached it.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The agent has no handler for <typeparamref name="TMessage"/>, or the guild was stopped.
    /// </exception>
    public async ValueTask SendAsync<TMessage>(string agentId, TMessage message, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        if (!_agents.TryGetValue(agentId, out var slot) || slot.Retired)
        {
            throw NoSuchAgent(agentId);
        }

        if (slot.Agent is not IMessageHandler<TMessage> handler)
        {
            throw new InvalidOperationException($"Agent '{agentId}' of guild '{Id}' has no handler for {typeof(TMessage).Name}.");
        }

        if (!await DeliverAsync(agentId, slot, handler, message, cancellationToken).ConfigureAwait(false))
        {
            throw NoSuchAgent(agentId);
        }
    }

    /// <summary>Delivers a message to every agent that handles its type, one after another.</summary>
    /// <remarks>
    /// The agents are those in the guild when the call begins. An agent removed before the message reaches it is
    /// skipped and not counted, as is every agent not reached yet when the guild is removed
    /// (<see cref="RemoveAsync"/>).
    /// </remarks>
    /// <returns>How many agents handled it.</returns>
    /// <exception cref="InvalidOperationException">The guild was stopped.</exception>
    public async ValueTask<int> PublishAsync<TMessage>(TMessage message, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        var delivered = 0;
        foreach (var (agentId, slot) in _agents)
        {
            if (slot.Agent is IMessageHandler<TMessage> handler
                && await DeliverAsync(agentId, slot, handler, message, cancellationToken).ConfigureAwait(false))
            {
                delivered++;
            }
        }

        return delivered;
    }

    /// <summary>Stops the guild; its state is kept for the next start.</summary>
    public ValueTask StopAsync()
    {
        _stopped = true;
        _host.Forget(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops the guild and deletes its guild state and the agent state of all its agents.</summary>
    /// <remarks>
    /// Handlers already running finish first (the removal waits for them); a message that has not reached its agent
    /// yet is not delivered, as with <see cref="RemoveAgentAsync"/>.
    /// </remarks>
    public async ValueTask RemoveAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);

        // Retire every agent before waiting for any, so a publish in flight delivers to no agent it has not reached.
        var slots = _agents.Values;
        foreach (var slot in slots)
        {
            slot.Retire();
        }

        // Let messages in flight finish first, so no handler writes after the state is gone.
        foreach (var slot in slots)
        {
            await slot.RetireAsync(cancellationToken).ConfigureAwait(false);
        }

        await _host.State.RemoveGuildAsync(Id, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>Whether the handler ran; false when the agent was retired before the message reached it.</returns>
    /// <summary>
    /// Stops delivery and fences the guild: messages sent from now on are refused, handlers still running finish, then
    /// the guild's timeline is paused at its head, so every writer of the guild (in any process) is refused until
    /// <see cref="ResumeAsync"/>. Returns the timeline, whose <see cref="GuildTimeline.PausedAt"/> says where it stopped.
    /// </summary>
    public async ValueTask<GuildTimeline> PauseAsync(CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        var timelines = TimelinesOrThrow();
        _paused = true;
        foreach (var slot in _agents.Values)
        {
            await slot.WaitIdleAsync(cancellationToken).ConfigureAwait(false);
        }

        return await timelines.PauseAsync(Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resumes a paused guild (paused here or by another process): its timeline is resumed and delivery continues
    /// from the recorded point, with the state the guild had when it was paused.
    /// </summary>
    public async ValueTask<GuildTimeline> ResumeAsync(CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        var timeline = await TimelinesOrThrow().ResumeAsync(Id, cancellationToken).ConfigureAwait(false);
        _paused = false;
        return timeline;
    }

    private async ValueTask<bool> DeliverAsync<TMessage>(string agentId, AgentSlot slot, IMessageHandler<TMessage> handler, TMessage message, CancellationToken cancellationToken)
    {
        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Checked under the gate: a retirement either sees this handler running and waits for it, or this
            // delivery sees the retirement and hands nothing over. A pause waits for the gate the same way.
            if (slot.Retired)
            {
                return false;
            }

            if (_paused)
            {
                throw new StateTimelineException(
                    TimelineFailure.Paused,
                    Id,
                    null,
                    $"Guild '{Id}' is paused: the {typeof(TMessage).Name} for agent '{agentId}' was not delivered.",
                    StateOwner.Agent(Id, agentId));
            }

            var recordedAt = Options.RecordMessages ? await RecordAsync(agentId, message, cancellationToken).ConfigureAwait(false) : 0;

            await handler.HandleAsync(message, slot.Context, cancellationToken).ConfigureAwait(false);
            await SnapshotIfDueAsync(recordedAt, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>Records the delivery in the guild's timeline, before the handler runs and writes.</summary>
    /// <remarks>
    /// The message is serialized with the store's <see cref="IStateOperations.SerializerOptions"/>, which have no
    /// reflection resolver in a trimmed or native AOT application: such an application that records messages
    /// (<see cref="GuildOptions.RecordMessages"/>) registers its message types in a source-generated resolver there,
    /// or the first recorded send fails with an error that says so (docs/typed-state.md, "Trimming and native AOT").
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Recording is opt-in; its message types come from the configured resolver, documented for trimmed applications.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Recording is opt-in; its message types come from the configured resolver, documented for trimmed applications.")]
    private async ValueTask<long> RecordAsync<TMessage>(string agentId, TMessage message, CancellationToken cancellationToken)
    {
        var owner = StateOwner.Agent(Id, agentId);
        var options = _host.State.SerializerOptions;
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, StateOperationsExtensions.TypeInfoFrom<TMessage>(options));
        var envelope = RecordedMessage.Envelope(typeof(TMessage).FullName ?? typeof(TMessage).Name, payload);
        var timelines = TimelinesOrThrow() as GuildTimelines
            ?? throw new InvalidOperationException($"Guild '{Id}' records its messages through the store's own GuildTimelines; the host was given another IGuildTimelines.");
        return await timelines.AppendRawAsync(owner, "message-" + Guid.NewGuid().ToString("N"), envelope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a snapshot when <see cref="GuildOptions.SnapshotEvery"/> entries passed since the last one here.</summary>
    private async ValueTask SnapshotIfDueAsync(long recordedAt, CancellationToken cancellationToken)
    {
        if (Options.SnapshotEvery is not { } every || recordedAt == 0 || recordedAt - Interlocked.Read(ref _lastSnapshotAt) < every)
        {
            return;
        }

        var snapshot = await TimelinesOrThrow().SnapshotAsync(Id, cancellationToken: cancellationToken).ConfigureAwait(false);
        InterlockedMax(ref _lastSnapshotAt, snapshot.Sequence);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }

    private IGuildTimelines TimelinesOrThrow() =>
        _host.Timelines ?? throw new InvalidOperationException($"Guild '{Id}' has no timeline: the host was created without guild timelines.");

    private KeyNotFoundException NoSuchAgent(string agentId) => new($"Guild '{Id}' has no agent '{agentId}'.");

    private void EnsureRunning()
    {
        if (_stopped)
        {
            throw new InvalidOperationException($"Guild '{Id}' has been stopped.");
        }
    }

    private sealed class AgentSlot(IAgent agent, AgentContext context)
    {
        private int _retired;

        public IAgent Agent { get; } = agent;

        public AgentContext Context { get; } = context;

        /// <summary>Held while a handler of the agent runs: one message at a time.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Whether the agent was removed; a delivery that finds it set under the gate hands nothing over.</summary>
        public bool Retired => Volatile.Read(ref _retired) != 0;

        /// <summary>Marks the agent removed: no message is handed to it from now on. True for the call that marked it.</summary>
        public bool Retire() => Interlocked.Exchange(ref _retired, 1) == 0;

        /// <summary>
        /// Marks the agent removed, then waits for a handler that is still running. The gate is released again at
        /// once, so a message that was waiting for it completes (as not delivered) instead of waiting forever.
        /// </summary>
        public async ValueTask RetireAsync(CancellationToken cancellationToken)
        {
            _ = Retire();
            await WaitIdleAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Waits until no handler of this agent runs (one that started before the call finishes).</summary>
        public async ValueTask WaitIdleAsync(CancellationToken cancellationToken)
        {
            await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            Gate.Release();
        }
    }
}
