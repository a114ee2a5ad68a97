using Microsoft.Agents.AI;

namespace TypedState.AgentFramework.Tests;

// Ports of the framework's own store tests (InMemoryAgentSessionStoreTests, InMemoryChatHistoryProviderTests) and
// the limits: random agent ids, long ids, large sessions, retrieval windows.
public abstract partial class AgentFrameworkStoreTests
{
    [Fact]
    public async Task Each_get_returns_an_independent_snapshot_of_the_stored_session()
    {
        var host = Open();
        var agent = host.Agent();
        var original = await agent.CreateSessionAsync();
        original.StateBag.SetValue("marker", "v1");
        await host.Store.SaveSessionAsync(agent, AgentHost.Key("s1"), original);

        var branchA = (await host.Store.GetSessionAsync(agent, AgentHost.Key("s1")))!;
        var branchB = (await host.Store.GetSessionAsync(agent, AgentHost.Key("s1")))!;
        Assert.NotSame(branchA, branchB);
        Assert.Equal("v1", branchA.StateBag.GetValue<string>("marker"));
        Assert.Equal("v1", branchB.StateBag.GetValue<string>("marker"));

        branchA.StateBag.SetValue("marker", "mutated");
        Assert.Equal("v1", branchB.StateBag.GetValue<string>("marker"));
        Assert.Equal("v1", (await host.Store.GetSessionAsync(agent, AgentHost.Key("s1")))!.StateBag.GetValue<string>("marker"));
    }

    [Fact]
    public async Task Deleting_a_stored_session_makes_the_next_get_or_create_create_and_deleting_an_unknown_one_is_a_no_op()
    {
        var host = Open();
        var agent = host.Agent();
        await host.Store.DeleteSessionAsync(agent, AgentHost.Key("missing"));

        var session = await agent.CreateSessionAsync();
        session.StateBag.SetValue("marker", "stored");
        await host.Store.SaveSessionAsync(agent, AgentHost.Key("s1"), session);
        Assert.Equal("stored", (await host.Store.GetSessionAsync(agent, AgentHost.Key("s1")))!.StateBag.GetValue<string>("marker"));

        await host.Store.DeleteSessionAsync(agent, AgentHost.Key("s1"));
        Assert.Null(await host.Store.GetSessionAsync(agent, AgentHost.Key("s1")));
        var created = await host.Store.GetOrCreateSessionAsync(agent, AgentHost.Key("s1"));
        Assert.False(created.StateBag.TryGetValue<string>("marker", out _));
        Assert.Empty(await host.Store.ListSessionsAsync(agent).ToListAsync());
        await host.Store.DeleteSessionAsync(agent, AgentHost.Key("s1"));

        // The deleted session's old instance cannot bring it back unnoticed.
        await Assert.ThrowsAsync<AgentSessionConflictException>(() => host.Store.SaveSessionAsync(agent, AgentHost.Key("s1"), session).AsTask());
    }

    [Fact]
    public async Task The_history_limit_gives_the_model_the_latest_messages_and_clear_empties_the_history()
    {
        var host = Open(o => o.MaxHistoryMessages = 3);
        var agent = host.Agent();
        var session = await agent.CreateSessionAsync();
        for (var i = 1; i <= 4; i++)
        {
            await agent.RunAsync($"turn {i}", session);
        }

        // Three stored messages plus the new one, never more.
        Assert.Equal([1, 3, 4, 4], host.Model.Received);
        Assert.Equal(8, (await host.History.GetMessagesAsync(agent, session)).Count);

        await host.History.ClearAsync(agent, session);
        Assert.Empty(await host.History.GetMessagesAsync(agent, session));
        Assert.Equal("echo: fresh (1 messages)", (await agent.RunAsync("fresh", session)).Text);
        Assert.Equal(["fresh", "echo: fresh (1 messages)"], (await host.History.GetMessagesAsync(agent, session)).Select(m => m.Text));
    }

    [Fact]
    public async Task A_history_window_does_not_open_on_a_tool_result_cut_from_its_call()
    {
        var host = Open(o => o.MaxHistoryMessages = 2);
        var agent = host.Agent();
        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("tool:news", session);

        // Stored: user, call, result, answer. The latest two are result and answer: the result is dropped.
        Assert.Equal("echo: next (2 messages)", (await agent.RunAsync("next", session)).Text);
    }

    [Fact]
    public async Task An_agent_with_only_the_framework_random_id_is_refused_before_anything_is_stored()
    {
        var host = Open();
        var anonymous = host.Agent(id: null);
        var session = await anonymous.CreateSessionAsync();

        var onSave = await Assert.ThrowsAsync<AgentIdentityException>(() => host.Store.SaveSessionAsync(anonymous, AgentHost.Key("s1"), session).AsTask());
        Assert.Equal(anonymous.Id, onSave.RandomId);
        Assert.Contains("ChatClientAgentOptions.Id", onSave.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AgentIdentityException>(() => anonymous.RunAsync("hello", session));
        Assert.Empty(await host.State.ListRecordsAsync(StateOwner.Agent(AgentFrameworkOptions.DefaultGuildId, anonymous.Id), string.Empty).ToListAsync());

        // A selector may name agents some other way.
        var named = Open(o => o.AgentIdSelector = a => a.Name);
        var byName = named.Agent(id: null);
        await named.Store.SaveSessionAsync(byName, AgentHost.Key("s1"), await byName.CreateSessionAsync());
        Assert.Single(await named.Store.ListSessionsAsync(named.Agent(id: null)).ToListAsync());
    }

    [Fact]
    public async Task Ids_beyond_the_key_limits_are_hashed_and_stay_distinct()
    {
        var host = Open();
        var agent = host.Agent(id: new string('a', 1000));
        var other = host.Agent(id: new string('a', 999) + "b");
        var longId = string.Concat(Enumerable.Repeat("session/é🙂", 300));
        var key = AgentHost.Key(longId, ("tenant", new string('t', 600)));
        var similar = AgentHost.Key(longId + "x", ("tenant", new string('t', 600)));

        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("long", session);
        await host.Store.SaveSessionAsync(agent, key, session);
        await host.Store.SaveSessionAsync(agent, similar, await agent.CreateSessionAsync());

        var restored = (await Open().Store.GetSessionAsync(agent, key))!;
        Assert.Equal(2, (await host.History.GetMessagesAsync(agent, restored)).Count);
        Assert.Null(await host.Store.GetSessionAsync(other, key));
        var listed = await host.Store.ListSessionsAsync(agent).ToListAsync();
        Assert.Contains(listed, s => s.Key.SessionId == longId && s.Key.Partitions!["tenant"].Length == 600);
        Assert.Equal(2, listed.Count);
    }

    [Fact]
    public async Task A_session_larger_than_one_record_is_split_and_read_back_byte_exact()
    {
        // The framework's in-session history: the session grows every turn and holds polymorphic JSON.
        var host = Open(o => o.ChunkBytes = 1024);
        var agent = host.Agent(history: new InMemoryChatHistoryProvider());
        var key = AgentHost.Key("big");
        var session = await agent.CreateSessionAsync();
        for (var i = 0; i < 6; i++)
        {
            await agent.RunAsync($"turn {i}: {new string('x', 400)} \"quoted\" <tag> é🙂", session);
        }

        await agent.RunAsync("tool:history", session);
        await host.Store.SaveSessionAsync(agent, key, session);
        var json = await AgentHost.SerializeAsStoredAsync(agent, session);

        var owner = StateOwner.Agent(AgentFrameworkOptions.DefaultGuildId, "support");
        var parts = await host.State.ListRecordsAsync(owner, "maf/parts/sessions/").ToListAsync();
        Assert.True(parts.Count >= 5, $"{parts.Count} parts");
        Assert.All(parts, p => Assert.True(p.Value.Length <= 1024 + 256, $"{p.Value.Length} bytes"));
        Assert.Equal(json, (await PayloadStore.ReadAsync(host.State, owner, "maf/sessions/-/big", CancellationToken.None))!.Value.Text);

        var restarted = Open(o => o.ChunkBytes = 1024);
        var again = restarted.Agent(history: new InMemoryChatHistoryProvider());
        var resumed = (await restarted.Store.GetSessionAsync(again, key))!;
        Assert.Equal("echo: last (17 messages)", (await again.RunAsync("last", resumed)).Text);

        // Shrinking the session removes the parts it no longer needs.
        await restarted.Store.SaveSessionAsync(again, key, await ReplaceWithEmptyAsync(again, resumed));
        Assert.Empty(await host.State.ListRecordsAsync(owner, "maf/parts/sessions/").ToListAsync());
    }

    private static async Task<AgentSession> ReplaceWithEmptyAsync(AIAgent agent, AgentSession read)
    {
        var empty = await agent.CreateSessionAsync();
        empty.StateBag.SetValue(TypedStateAgentSessionStore.EtagStateKey, read.StateBag.GetValue<string>(TypedStateAgentSessionStore.EtagStateKey));
        return empty;
    }
}
