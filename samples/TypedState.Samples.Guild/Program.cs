// A small guild on TypedState: a greeter remembers visitors in its typed agent state, a librarian keeps the guild's
// shared knowledge base, and global settings hold the greeting. State lives in SQLite, so every run continues where
// the previous one stopped. At startup the migrator brings every stored record to the schema version of this build:
// run once with `-p:SampleSchema=1`, then without it, to watch version 1 records become version 2.
// `--reset` removes the guild and its agents' state. Each run ends with a timeline demo: a guild forked at an earlier
// point and told something else, the two timelines printed side by side.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedState;
using TypedState.Guilds;
using TypedState.Samples.Guild;
using TypedState.Samples.Guild.State;
using TypedState.Sqlite;
using TypedState.Timeline;

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .AddEnvironmentVariables()
    .Build();

await using var services = new ServiceCollection()
    .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole())
    .AddTypedState(b => b
        .AddSqlite()
        .UseConfiguration(configuration.GetSection("TypedState"))
        .AddStateTypes(GeneratedStateTypes.All))
    .BuildServiceProvider();

var state = services.GetRequiredService<IStateManager>();
var host = services.GetRequiredService<GuildHost>();
const string guildId = "front-desk";

if (args.Contains("--reset"))
{
    await state.RemoveGuildAsync(guildId);
    Console.WriteLine($"Removed guild '{guildId}' with its agents' state. Global state is kept.");
    return 0;
}

// Startup migration: every stored record of every state type of this assembly, upgraded to this build's version.
// (With a generic host, b.MigrateOnStartup() runs the same migrator as a hosted service.)
Console.WriteLine($"Schema: GreeterMemory version {GreeterMemory.StateSchema.Version}");
try
{
    foreach (var result in await services.GetRequiredService<StateMigrator>().MigrateAsync())
    {
        Console.WriteLine($"  migrated {result.StateType.Name,-16} to v{result.Version}: {result.Upgraded} upgraded, {result.AlreadyCurrent} already current");
    }
}
catch (StateSchemaException ex)
{
    // For example a version 1 build started on a store a version 2 build already upgraded: never downgraded.
    Console.Error.WriteLine($"Startup stopped: {ex.Message}");
    return 1;
}

// Global scope: application-wide, never removed with a guild.
var settings = await SampleSettings.UpdateAsync(state, s =>
{
    s.Runs++;
    s.Greeting = s.Runs == 1 ? "Hello" : "Welcome back";
});
Console.WriteLine($"Run #{settings.Value.Runs} of the sample (state in {configuration["TypedState:Sqlite:ConnectionString"]})");

var guild = host.StartGuild(guildId);
guild.AddAgent("greeter", new GreeterAgent(TimeProvider.System));
guild.AddAgent("librarian", new LibrarianAgent());

Console.WriteLine("Messages:");
await guild.PublishAsync(new Fact("ada", $"likes tea (noted on run {settings.Value.Runs})"));
await guild.SendAsync("greeter", new Visit("ada"));
await guild.SendAsync("greeter", new Visit("grace"));
await guild.SendAsync("greeter", new Visit("ada"));

Console.WriteLine("State after this run:");
var memory = await GreeterMemory.LoadAsync(state.ForAgent(guildId, "greeter"));
#if SAMPLE_SCHEMA_V1
foreach (var (user, visits) in memory.Value.Visits)
{
    Console.WriteLine($"  agent  greeter    {user,-8} {visits} visits (record version {memory.Version}, schema v1)");
}
#else
foreach (var (user, visitor) in memory.Value.Visitors)
{
    var seen = visitor.LastSeen is { } at ? $"last seen {at:u}" : "last seen before v2";
    Console.WriteLine($"  agent  greeter    {user,-8} {visitor.Visits} visits, {seen} (record version {memory.Version}, schema v2)");
}
#endif

var knowledge = await KnowledgeBase.LoadAsync(state, guildId);
foreach (var (person, fact) in knowledge.Value.People)
{
    Console.WriteLine($"  guild  {guildId} {person,-8} \"{fact}\" (record version {knowledge.Version})");
}

// The librarian's own view of GreeterMemory: a fresh default — agent state is private to its agent.
var librarianView = await GreeterMemory.LoadAsync(state.ForAgent(guildId, "librarian"));
Console.WriteLine($"  the librarian's own GreeterMemory: {(librarianView.Exists ? "present" : "absent (agent state is private)")}");

await guild.StopAsync();

// A guild with a timeline, forked at an earlier point and told something else: the two timelines side by side.
await TimelineDemo.RunAsync(state, services.GetRequiredService<IGuildTimelines>(), host);
Console.WriteLine("Run the sample again: the counts continue from this run.");
return 0;
