using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace TypedState.AgentFramework.Tests;

/// <summary>The framework's sessions and chat history on one driver; each driver's class supplies the store.</summary>
public abstract partial class AgentFrameworkStoreTests : AgentTestBase
{
    [Fact]
    public async Task A_conversation_continues_after_a_restart_and_the_model_receives_the_stored_history()
    {
        var key = AgentHost.Key("conversation-1");
        var first = Open();
        var agent = first.Agent();
        var session = await first.Store.GetOrCreateSessionAsync(agent, key);
        Assert.Equal("echo: hello (1 messages)", (await agent.RunAsync("hello", session)).Text);
        await first.Store.SaveSessionAsync(agent, key, session);
        Assert.Equal("echo: again (3 messages)", (await agent.RunAsync("again", session)).Text);
        await first.Store.SaveSessionAsync(agent, key, session);

        var second = Open();
        var restarted = second.Agent();
        var resumed = await second.Store.GetSessionAsync(restarted, key);
        Assert.NotNull(resumed);
        var answer = await restarted.RunAsync("and now?", resumed);

        Assert.Equal("echo: and now? (5 messages)", answer.Text);
        Assert.Equal([5], second.Model.Received);
        var stored = await second.History.GetMessagesAsync(restarted, resumed);
        Assert.Equal(
            ["hello", "echo: hello (1 messages)", "again", "echo: again (3 messages)", "and now?", "echo: and now? (5 messages)"],
            stored.Select(m => m.Text));
        Assert.Equal(stored.Count, stored.Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task Sessions_are_isolated_by_session_id_and_by_every_partition()
    {
        var host = Open();
        var agent = host.Agent();
        AgentSessionStoreKey[] keys =
        [
            AgentHost.Key("s1"),
            AgentHost.Key("s2"),
            AgentHost.Key("s1", ("tenant", "a")),
            AgentHost.Key("s1", ("tenant", "b")),
            AgentHost.Key("s1", ("tenant", "a"), ("user", "ada")),
        ];
        for (var i = 0; i < keys.Length; i++)
        {
            var session = await host.Store.GetOrCreateSessionAsync(agent, keys[i]);
            await agent.RunAsync($"message {i}", session);
            await host.Store.SaveSessionAsync(agent, keys[i], session);
        }

        var restarted = Open();
        var again = restarted.Agent();
        for (var i = 0; i < keys.Length; i++)
        {
            var session = await restarted.Store.GetSessionAsync(again, keys[i]);
            Assert.NotNull(session);
            var messages = await restarted.History.GetMessagesAsync(again, session);
            Assert.Equal([$"message {i}", $"echo: message {i} (1 messages)"], messages.Select(m => m.Text));
        }

        var all = await restarted.Store.ListSessionsAsync(again).ToListAsync();
        Assert.Equal(keys.Length, all.Count);
        Assert.All(keys, key => Assert.Contains(all, s => s.Key.Equals(key)));
        var tenantA = await restarted.Store.ListSessionsAsync(again, new Dictionary<string, string> { ["tenant"] = "a" }).ToListAsync();
        Assert.Equal(2, tenantA.Count);
        Assert.Null(await restarted.Store.GetSessionAsync(again, AgentHost.Key("s1", ("tenant", "c"))));
    }

    [Fact]
    public async Task Two_concurrent_turns_of_one_session_both_reach_the_history_and_the_later_save_is_refused()
    {
        var host = Open();
        var agent = host.Agent();
        var key = AgentHost.Key("busy");
        var created = await host.Store.GetOrCreateSessionAsync(agent, key);
        await host.Store.SaveSessionAsync(agent, key, created);

        var a = (await host.Store.GetSessionAsync(agent, key))!;
        var b = (await host.Store.GetSessionAsync(agent, key))!;
        await Task.WhenAll(agent.RunAsync("from a", a), agent.RunAsync("from b", b));

        await host.Store.SaveSessionAsync(agent, key, a);
        var conflict = await Assert.ThrowsAsync<AgentSessionConflictException>(() => host.Store.SaveSessionAsync(agent, key, b).AsTask());
        Assert.Equal("busy", conflict.SessionId);
        Assert.Equal(StateWriteOutcome.NotApplied, conflict.Outcome);
        Assert.Equal(Scope.Agent, conflict.Scope);

        // Both turns are in the shared history, each message once; a fresh read continues from both.
        var fresh = (await host.Store.GetSessionAsync(agent, key))!;
        var messages = await host.History.GetMessagesAsync(agent, fresh);
        Assert.Equal(4, messages.Count);
        Assert.Contains(messages, m => m.Text == "from a");
        Assert.Contains(messages, m => m.Text == "from b");
        Assert.Equal("echo: next (5 messages)", (await agent.RunAsync("next", fresh)).Text);
        await host.Store.SaveSessionAsync(agent, key, fresh);
    }

    [Fact]
    public async Task Per_service_call_persistence_stores_each_message_of_a_tool_loop_once()
    {
        var host = Open();
        var agent = host.Agent(perServiceCall: true);
        var key = AgentHost.Key("tools");
        var session = await host.Store.GetOrCreateSessionAsync(agent, key);

        var answer = await agent.RunAsync("tool:weather", session);
        await host.Store.SaveSessionAsync(agent, key, session);

        Assert.Equal(2, host.Model.Calls);
        Assert.StartsWith("echo: tool:weather", answer.Text, StringComparison.Ordinal);
        var restarted = Open();
        var again = restarted.Agent(perServiceCall: true);
        var resumed = (await restarted.Store.GetSessionAsync(again, key))!;
        var messages = await restarted.History.GetMessagesAsync(again, resumed);
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], messages.Select(m => m.Role));
        Assert.Equal(messages.Count, messages.Select(m => m.MessageId).Distinct().Count());
        Assert.IsType<FunctionCallContent>(Assert.Single(messages[1].Contents));
        Assert.Equal("facts about weather", Assert.IsType<FunctionResultContent>(Assert.Single(messages[2].Contents)).Result?.ToString());

        // The next turn sees the whole loop once.
        Assert.Equal("echo: more (5 messages)", (await again.RunAsync("more", resumed)).Text);
    }

    [Fact]
    public async Task Storing_the_same_messages_again_appends_nothing()
    {
        var host = Open();
        var agent = host.Agent();
        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("once", session);
        var before = await host.History.GetMessagesAsync(agent, session);

        // The framework calling the provider twice for the same messages (as per-call persistence may).
        var context = new ChatHistoryProvider.InvokedContext(agent, session, [before[0]], [before[1]]);
        await host.History.InvokedAsync(context);

        var after = await host.History.GetMessagesAsync(agent, session);
        Assert.Equal(before.Select(m => m.MessageId), after.Select(m => m.MessageId));
    }
}
