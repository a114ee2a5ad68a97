// A support agent built with Microsoft Agent Framework, its sessions, chat history and workflow checkpoints in
// TypedState's SQLite store (typedstate-agents.db in the current directory). Run it twice: the second run continues
// the conversation and resumes the interrupted workflow. "--reset" removes everything it stored.
using Microsoft.Agents.AI;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using TypedState;
using TypedState.AgentFramework;
using TypedState.AgentFramework.Workflows;
using TypedState.Samples.AgentFramework;
using TypedState.Sqlite;

await using var services = new ServiceCollection()
    .AddTypedState(b => b.UseSqlite("Data Source=typedstate-agents.db").AddAgentFramework().AddAgentFrameworkCheckpoints(keepLast: 10))
    .BuildServiceProvider();
var state = services.GetRequiredService<IStateManager>();
var sessions = services.GetRequiredService<TypedStateAgentSessionStore>();
var checkpoints = services.GetRequiredService<TypedStateCheckpointStore>();

if (args.Contains("--reset"))
{
    await state.RemoveGuildAsync(AgentFrameworkOptions.DefaultGuildId);
    await checkpoints.DeleteRunAsync(TicketWorkflow.RunId);
    Console.WriteLine("removed the agents' sessions and history and the workflow's checkpoints");
    return;
}

// A real model: replace the stand-in with your provider's IChatClient (e.g. an OpenAI or Azure OpenAI client).
IChatClient model = new StandInModel();

// The agent needs a stable id: the framework's default is a new random id per process.
var agent = new ChatClientAgent(model, new ChatClientAgentOptions
{
    Id = "support",
    Name = "support",
    ChatHistoryProvider = services.GetRequiredService<TypedStateChatHistoryProvider>(),
});

var key = new AgentSessionStoreKey("customer-ada", new Dictionary<string, string> { ["tenant"] = "contoso" });
var session = await sessions.GetOrCreateSessionAsync(agent, key);
var message = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? $"My order has not arrived ({DateTime.Now:T}).";
Console.WriteLine($"customer: {message}");
Console.WriteLine($"agent:    {(await agent.RunAsync(message, session)).Text}");
await sessions.SaveSessionAsync(agent, key, session);

var history = await services.GetRequiredService<TypedStateChatHistoryProvider>().GetMessagesAsync(agent, session);
Console.WriteLine($"{history.Count} messages stored; sessions of the agent: {string.Join(", ", await sessions.ListSessionsAsync(agent).Select(s => s.Key.SessionId).ToListAsync())}");

await TicketWorkflow.RunAsync(checkpoints, services.GetRequiredService<CheckpointManager>());
