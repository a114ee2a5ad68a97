using System.Text.Json;
using Microsoft.Agents.AI;
using TypedState.DependencyInjection;
using TypedState.InMemory;

namespace TypedState.AgentFramework.Tests;

public sealed class AgentStateContextTests : AgentTestBase, IDisposable
{
    private static readonly StateSchema<SupportNotes> s_schema = StateSchema.Of<SupportNotes>();
    private readonly InMemoryStateDriver _driver = new();

    protected override void UseDriver(TypedStateBuilder builder) => builder.UseDriver("InMemory", _ => _driver);

    public void Dispose() => _driver.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static ChatClientAgent AgentWith(AgentHost host, AIContextProvider provider) =>
        new(host.Model, new ChatClientAgentOptions { Id = "support", ChatHistoryProvider = host.History, AIContextProviders = [provider] });

    [Fact]
    public async Task The_model_receives_the_agent_state_upgraded_from_an_older_schema_version()
    {
        var host = Open();
        var owner = StateOwner.Agent(AgentFrameworkOptions.DefaultGuildId, "support");
        var v1 = JsonSerializer.Deserialize<JsonElement>("""{"$version":1,"customer":"Ada","count":3}""");
        await host.State.SetAsync(owner, s_schema.Key, v1);

        var agent = AgentWith(host, new AgentStateContextProvider<SupportNotes>(host.State, null, withTools: false));
        await agent.RunAsync("hi", await agent.CreateSessionAsync());

        Assert.Contains("""{"$version":2,"customer":"Ada","tickets":3}""", host.Model.LastInstructions, StringComparison.Ordinal);
        Assert.Contains("schema version 2", host.Model.LastInstructions, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Model.LastTools, t => t.Contains("SupportNotes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_tools_the_model_updates_the_state_and_a_stale_update_is_refused()
    {
        var host = Open();
        var provider = new AgentStateContextProvider<SupportNotes>(host.State, null, withTools: true);
        var agent = AgentWith(host, provider);
        var session = await agent.CreateSessionAsync();
        var document = JsonSerializer.Serialize(new { document = """{"$version":2,"customer":"Grace","tickets":1}""" });

        var saved = await agent.RunAsync($"call:{provider.UpdateToolName} {document}", session);

        Assert.Equal("tool said: Saved as record version 1.", saved.Text);
        Assert.Contains(provider.ReadToolName, host.Model.LastTools);
        var owner = StateOwner.Agent(AgentFrameworkOptions.DefaultGuildId, "support");
        var stored = await host.State.GetAsync(owner, s_schema.Key, s_schema.TypeInfo);
        Assert.Equal("Grace", stored.Value!.Customer);

        // Code changes the state while the next turn runs: the model's update, based on what it saw, is refused.
        host.Model.BeforeReply = () => host.State.SetAsync(owner, s_schema.Key, new SupportNotes { Customer = "Grace", Tickets = 7 }, s_schema.TypeInfo).AsTask();
        var raced = await agent.RunAsync($"call:{provider.UpdateToolName} {document}", session);
        Assert.StartsWith("tool said: Not saved: the state changed", raced.Text, StringComparison.Ordinal);
        Assert.Equal(7, (await host.State.GetAsync(owner, s_schema.Key, s_schema.TypeInfo)).Value!.Tickets);
    }
}
