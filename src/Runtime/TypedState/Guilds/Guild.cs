using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

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

    internal Guild(GuildHost host, string id, ILoggerFactory loggerFactory)
    {
        _host = host;
        Id = id;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The guild's id.</summary>
    public string Id { get; }

    /// <summary>The ids of the agents currently in the guild.</summary>
    public IReadOnlyCollection<string> AgentIds => [.. _agents.Keys];

    /// <summary>Adds an agent; its agent state from earlier runs is available to it at once.</summary>
    /// <exception cref="InvalidOperationException">The id is taken, or the guild was stopped.</exception>
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
    /// <returns>Whether the agent was in the guild.</returns>
    public async ValueTask<bool> RemoveAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        var removed = _agents.TryRemove(agentId, out var slot);
        if (slot is not null)
        {
            // Wait for a message in flight, so no handler writes after the state is gone.
            await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await _host.State.RemoveAgentAsync(Id, agentId, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Delivers a message to one agent and waits until it is handled.</summary>
    /// <exception cref="KeyNotFoundException">No such agent.</exception>
    /// <exception cref="InvalidOperationException">The agent has no handler for <typeparamref name="TMessage"/>.</exception>
    public async ValueTask SendAsync<TMessage>(string agentId, TMessage message, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        if (!_agents.TryGetValue(agentId, out var slot))
        {
            throw new KeyNotFoundException($"Guild '{Id}' has no agent '{agentId}'.");
        }

        if (slot.Agent is not IMessageHandler<TMessage> handler)
        {
            throw new InvalidOperationException($"Agent '{agentId}' of guild '{Id}' has no handler for {typeof(TMessage).Name}.");
        }

        await DeliverAsync(slot, handler, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers a message to every agent that handles its type, one after another.</summary>
    /// <returns>How many agents handled it.</returns>
    public async ValueTask<int> PublishAsync<TMessage>(TMessage message, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        var delivered = 0;
        foreach (var slot in _agents.Values)
        {
            if (slot.Agent is IMessageHandler<TMessage> handler)
            {
                await DeliverAsync(slot, handler, message, cancellationToken).ConfigureAwait(false);
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
    public async ValueTask RemoveAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);

        // Let messages in flight finish first, so no handler writes after the state is gone.
        foreach (var slot in _agents.Values)
        {
            await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await _host.State.RemoveGuildAsync(Id, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask DeliverAsync<TMessage>(AgentSlot slot, IMessageHandler<TMessage> handler, TMessage message, CancellationToken cancellationToken)
    {
        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await handler.HandleAsync(message, slot.Context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private void EnsureRunning()
    {
        if (_stopped)
        {
            throw new InvalidOperationException($"Guild '{Id}' has been stopped.");
        }
    }

    private sealed class AgentSlot(IAgent agent, AgentContext context)
    {
        public IAgent Agent { get; } = agent;

        public AgentContext Context { get; } = context;

        public SemaphoreSlim Gate { get; } = new(1, 1);
    }
}
