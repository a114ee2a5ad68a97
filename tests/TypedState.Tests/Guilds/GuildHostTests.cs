using System.Text.Json;
using TypedState.Guilds;
using TypedState.InMemory;
using TypedState.Storage;
using TypedState.Testing;

namespace TypedState.Tests.Guilds;

/// <summary>
/// What the guild host does on its own — one message at a time per agent, stop and restart, removal while a message
/// is in flight — so it runs once, over the in-memory driver. What the host needs from a driver (removing an agent's
/// or a guild's state) is in the conformance suite, which every driver runs.
/// </summary>
public sealed class GuildHostTests : IAsyncLifetime
{
    private const string G1 = "guild-1";
    private const string A1 = "agent-1";
    private const string A2 = "agent-2";

    private readonly List<IAsyncDisposable> _disposables = [];

    /// <summary>How long a test waits for a call that must complete: a hang fails the test instead of the run.</summary>
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    private static StateOwner Agent1 => StateOwner.Agent(G1, A1);

    private static StateOwner Agent2 => StateOwner.Agent(G1, A2);

    private static StateOwner Guild1 => StateOwner.Guild(G1);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Managers first, then the drivers under them.
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    private Task<StateManager> CreateManagerAsync()
    {
        var driver = new InMemoryStateDriver();
        var manager = CreateManagerOver(driver);
        _disposables.Add(driver);
        return Task.FromResult(manager);
    }

    private StateManager CreateManagerOver(IStateDriver driver)
    {
        var manager = new StateManager(driver);
        _disposables.Insert(0, manager);
        return manager;
    }

    private static ValueTask<List<string>> ListKeysAsync(IStateOperations state, StateOwner owner, string prefix) =>
        state.ListAsync<JsonElement>(owner, prefix).Select(entry => entry.Key).ToListAsync();

    private static async Task AssertRecordAsync<T>(IStateOperations state, StateOwner owner, string key, T value, long version)
    {
        var entry = await state.GetAsync<T>(owner, key);
        Assert.Equal((true, value, version), (entry.Exists, entry.Value, entry.Version));
    }

    [Fact]
    public async Task Guild_Stop_keeps_state_and_a_restarted_guild_with_the_same_id_sees_it()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        guild.AddAgent(A1, new VisitCounterAgent());
        await guild.SendAsync(A1, new Visit("first run"));
        await guild.SendAsync(A1, new Visit("first run"));

        await guild.StopAsync();

        Assert.False(host.TryGetGuild(G1, out _));
        await Assert.ThrowsAsync<InvalidOperationException>(() => guild.SendAsync(A1, new Visit("stopped")).AsTask());
        await AssertRecordAsync(state, Agent1, "visits", 2, 2);

        var restarted = host.StartGuild(G1);
        var agent = new VisitCounterAgent();
        restarted.AddAgent(A1, agent);
        await restarted.SendAsync(A1, new Visit("second run"));
        await restarted.SendAsync(A1, new Report());

        var seen = Assert.Single(agent.Observations);
        Assert.Equal(3, seen.Visits);
        Assert.Equal(3, seen.GuildVisits);
        Assert.Equal(3, seen.GlobalVisits);
        await AssertRecordAsync(state, Agent1, "last-visitor", "second run", 3);
    }

    [Fact]
    public async Task A_guild_host_shared_by_a_second_host_over_the_same_store_sees_the_state()
    {
        var state = await CreateManagerAsync();
        await using (var host = new GuildHost(state))
        {
            var guild = host.StartGuild(G1);
            guild.AddAgent(A1, new VisitCounterAgent());
            await guild.SendAsync(A1, new Visit("a"));
        }

        await using var next = new GuildHost(CreateManagerOver(state.Driver));
        var again = next.StartGuild(G1);
        var agent = new VisitCounterAgent();
        again.AddAgent(A1, agent);
        await again.SendAsync(A1, new Report());

        Assert.Equal(1, Assert.Single(agent.Observations).Visits);
    }

    [Fact]
    public async Task Guild_RemoveAgent_waits_for_a_message_in_flight_so_no_state_outlives_the_agent()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var agent = new PausingAgent();
        guild.AddAgent(A1, agent);

        var send = guild.SendAsync(A1, new SlowWork()).AsTask();
        await agent.Started;
        var remove = guild.RemoveAgentAsync(A1).AsTask();
        Assert.False(remove.IsCompleted, "RemoveAgentAsync finished while the agent's handler was still running");
        agent.Release();
        await send;
        Assert.True(await remove);

        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));
        await AssertRecordAsync(state, Guild1, "after", 1, 1);
    }

    [Fact]
    public async Task Concurrent_removals_of_one_agent_all_wait_for_its_running_handler_so_no_state_outlives_it()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var agent = new PausingAgent();
        guild.AddAgent(A1, agent);

        var send = guild.SendAsync(A1, new SlowWork()).AsTask();
        await agent.Started.WaitAsync(s_bound);
        var first = guild.RemoveAgentAsync(A1).AsTask();
        var second = guild.RemoveAgentAsync(A1).AsTask();
        Assert.False(second.IsCompleted, "a second RemoveAgentAsync finished while the agent's handler was still running");
        Assert.DoesNotContain(A1, guild.AgentIds);
        agent.Release();
        await send.WaitAsync(s_bound);
        var removed = await Task.WhenAll(first, second).WaitAsync(s_bound);

        // The handler wrote its agent state after both removals began; neither may finish before it is deleted.
        Assert.Equal([true, false], removed);
        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));
        Assert.Empty(guild.AgentIds);
        guild.AddAgent(A1, new PausingAgent());
        Assert.Equal([A1], guild.AgentIds);
    }

    [Fact]
    public async Task Guild_Remove_leaves_no_agent_or_guild_state_behind_even_with_a_message_in_flight()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var agent = new PausingAgent();
        guild.AddAgent(A1, agent);

        var send = guild.SendAsync(A1, new SlowWork()).AsTask();
        await agent.Started;
        var remove = guild.RemoveAsync().AsTask();
        agent.Release();
        await send;
        await remove;

        // The guild's lifetime ended: nothing its handler was still doing may leave state behind.
        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));
        Assert.Empty(await ListKeysAsync(state, Guild1, string.Empty));
    }

    [Fact]
    public async Task A_publish_skips_an_agent_removed_before_the_publish_reached_it_and_neither_call_hangs()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var turnstile = new Turnstile();
        guild.AddAgent(A1, new TurnstileAgent(turnstile));
        guild.AddAgent(A2, new TurnstileAgent(turnstile));

        var publish = guild.PublishAsync(new Pass()).AsTask();
        var first = await turnstile.FirstArrival.WaitAsync(s_bound);
        var later = first == A1 ? A2 : A1;
        Assert.True(await guild.RemoveAgentAsync(later).AsTask().WaitAsync(s_bound));
        turnstile.Open();

        Assert.Equal(1, await publish.WaitAsync(s_bound));
        Assert.Equal([first], turnstile.Handled);
        Assert.Empty(await ListKeysAsync(state, StateOwner.Agent(G1, later), string.Empty));
        await AssertRecordAsync(state, StateOwner.Agent(G1, first), "passed", 1, 1);

        // The removal released the agent's lock: an agent added again under the id gets messages.
        guild.AddAgent(later, new VisitCounterAgent());
        await guild.SendAsync(later, new Visit("again")).AsTask().WaitAsync(s_bound);
        await AssertRecordAsync(state, StateOwner.Agent(G1, later), "visits", 1, 1);
    }

    [Fact]
    public async Task A_message_waiting_for_an_agent_that_is_then_removed_is_not_delivered_and_fails_with_KeyNotFoundException()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var turnstile = new Turnstile();
        guild.AddAgent(A1, new TurnstileAgent(turnstile));

        // The first send holds the agent; the second looked the agent up and waits its turn when the removal begins.
        var inFlight = guild.SendAsync(A1, new Pass()).AsTask();
        await turnstile.FirstArrival.WaitAsync(s_bound);
        var waiting = guild.SendAsync(A1, new Pass()).AsTask();
        var remove = guild.RemoveAgentAsync(A1).AsTask();
        Assert.False(remove.IsCompleted, "RemoveAgentAsync finished while the agent's handler was still running");
        turnstile.Open();

        await inFlight.WaitAsync(s_bound);
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => waiting.WaitAsync(s_bound));
        Assert.Contains(A1, error.Message, StringComparison.Ordinal);
        Assert.True(await remove.WaitAsync(s_bound));
        Assert.Equal([A1], turnstile.Handled);
        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => guild.SendAsync(A1, new Pass()).AsTask().WaitAsync(s_bound));
    }

    [Fact]
    public async Task Guild_Remove_with_a_publish_in_flight_lets_both_finish_and_leaves_no_state_behind()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var turnstile = new Turnstile();
        guild.AddAgent(A1, new TurnstileAgent(turnstile));
        guild.AddAgent(A2, new TurnstileAgent(turnstile));

        var publish = guild.PublishAsync(new Pass()).AsTask();
        var first = await turnstile.FirstArrival.WaitAsync(s_bound);
        var remove = guild.RemoveAsync().AsTask();
        Assert.False(remove.IsCompleted, "RemoveAsync finished while a handler was still running");
        turnstile.Open();

        // The agent the publish had not reached is not handed the message once the guild's removal began.
        Assert.Equal(1, await publish.WaitAsync(s_bound));
        await remove.WaitAsync(s_bound);
        Assert.Equal([first], turnstile.Handled);
        Assert.Empty(await ListKeysAsync(state, Agent1, string.Empty));
        Assert.Empty(await ListKeysAsync(state, Agent2, string.Empty));
        Assert.Empty(await ListKeysAsync(state, Guild1, string.Empty));
    }

    [Fact]
    public async Task Messages_sent_concurrently_to_one_agent_are_handled_one_at_a_time()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        guild.AddAgent(A1, new BlindCounterAgent());
        guild.AddAgent(A2, new BlindCounterAgent());

        var sends = Enumerable.Range(0, 60)
            .Select(i => Task.Run(() => guild.SendAsync(i % 3 == 0 ? A2 : A1, new BlindIncrement()).AsTask()))
            .ToList();
        await Task.WhenAll(sends);

        await AssertRecordAsync(state, Agent1, "count", 40, 40);
        await AssertRecordAsync(state, Agent2, "count", 20, 20);
    }

    [Fact]
    public async Task Starting_a_guild_that_is_already_running_throws_and_changes_nothing()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        guild.AddAgent(A1, new VisitCounterAgent());
        await guild.SendAsync(A1, new Visit("a"));

        Assert.Throws<InvalidOperationException>(() => host.StartGuild(G1));
        Assert.Throws<InvalidOperationException>(() => guild.AddAgent(A1, new VisitCounterAgent()));

        Assert.True(host.TryGetGuild(G1, out var running));
        Assert.Same(guild, running);
        await AssertRecordAsync(state, Agent1, "visits", 1, 1);
    }
}
