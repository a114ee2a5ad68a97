// A small guild on TypedState: a greeter counts visits per user in its agent state, a librarian keeps the
// guild's shared knowledge base, and a global setting holds the greeting. State lives in SQLite, so every
// run continues where the previous one stopped. `--reset` removes the guild and its agents' state.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedState;
using TypedState.Guilds;
using TypedState.Samples.Guild;
using TypedState.Sqlite;

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .AddEnvironmentVariables()
    .Build();

await using var services = new ServiceCollection()
    .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole())
    .AddTypedState(b => b.AddSqlite().UseConfiguration(configuration.GetSection("TypedState")))
    .BuildServiceProvider();

var state = services.GetRequiredService<IStateManager>();
var host = services.GetRequiredService<GuildHost>();
const string GuildId = "front-desk";

if (args.Contains("--reset"))
{
    await state.RemoveGuildAsync(GuildId);
    Console.WriteLine($"Removed guild '{GuildId}' with its agents' state. Global state is kept.");
    return;
}

// Global scope: application-wide, never removed with a guild.
var run = await state.UpdateAsync<int>(StateOwner.Global, "sample/runs", runs => runs + 1);
await state.SetAsync(StateOwner.Global, "settings/greeting", run.Value == 1 ? "Hello" : "Welcome back", expectedVersion: null);
Console.WriteLine($"Run #{run.Value} of the sample (state in {configuration["TypedState:Sqlite:ConnectionString"]})");

var guild = host.StartGuild(GuildId);
guild.AddAgent("greeter", new GreeterAgent());
guild.AddAgent("librarian", new LibrarianAgent());

Console.WriteLine("Messages:");
await guild.PublishAsync(new Fact("ada", $"likes tea (noted on run {run.Value})"));
await guild.SendAsync("greeter", new Visit("ada"));
await guild.SendAsync("greeter", new Visit("grace"));
await guild.SendAsync("greeter", new Visit("ada"));

Console.WriteLine("State after this run:");
var greeter = StateOwner.Agent(GuildId, "greeter");
await foreach (var visits in state.ListAsync<int>(greeter, "visits/"))
{
    Console.WriteLine($"  agent  greeter  {visits.Key,-16} = {visits.Value,-4} (version {visits.Version})");
}

await foreach (var fact in state.ListAsync<string>(StateOwner.Guild(GuildId), "kb/"))
{
    Console.WriteLine($"  guild  {GuildId}  {fact.Key,-16} = \"{fact.Value}\" (version {fact.Version})");
}

// What the librarian sees as "visits/ada" in its own agent scope: nothing — agent state is private.
var librarianView = await state.ForAgent(GuildId, "librarian").GetAsync<int>(Scope.Agent, "visits/ada");
Console.WriteLine($"  the librarian's own 'visits/ada': {(librarianView.Exists ? librarianView.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "absent (agent state is private)")}");

await guild.StopAsync();
Console.WriteLine("Run the sample again: the counts continue from this run.");
