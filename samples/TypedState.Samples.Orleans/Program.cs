using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using TypedState.DependencyInjection;
using TypedState.Orleans;
using TypedState.Postgres;
using TypedState.Sqlite;

namespace TypedState.Samples.Orleans;

/// <summary>
/// Agents as Orleans grains on two silos, sharing one TypedState store: each agent's memory is its agent state, the
/// guild's journal is guild state both silos write, and the program reads both from outside the cluster at the end, as
/// an operator (or the <c>typedstate</c> tool) would.
/// </summary>
public static class Program
{
    /// <summary>The grain storage provider the agent grains name.</summary>
    public const string StorageName = "agents";

    private const string GuildId = "front-desk";

    public static async Task<int> Main(string[] args)
    {
        // TypedState__Postgres__ConnectionString (environment) or --TypedState:Postgres:ConnectionString=… (command line).
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine([.. args.Where(a => a.StartsWith("--TypedState", StringComparison.Ordinal))]).Build();
        var connectionString = configuration["TypedState:Postgres:ConnectionString"];
        var schema = configuration["TypedState:Postgres:Schema"] ?? PostgresStateDriverOptions.DefaultSchema;
        Action<TypedStateBuilder> store = string.IsNullOrEmpty(connectionString)
            ? b => b.UseSqlite("Data Source=typedstate-orleans.db")
            : b => b.UsePostgres(o =>
            {
                o.ConnectionString = connectionString;
                o.Schema = schema;
            });
        Console.WriteLine(string.IsNullOrEmpty(connectionString)
            ? "store: SQLite, typedstate-orleans.db (set TypedState__Postgres__ConnectionString to share PostgreSQL)"
            : $"store: PostgreSQL, schema {schema}");

        // Outside the cluster: the application's own view of the store.
        await using var outside = new ServiceCollection().AddTypedState(store).BuildServiceProvider();
        var state = outside.GetRequiredService<IStateManager>();
        if (args.Contains("--reset"))
        {
            await state.RemoveGuildAsync(GuildId);
            Console.WriteLine($"removed guild {GuildId} and its agents' state");
            return 0;
        }

        var primaryPort = FreePort();
        using var first = BuildSilo("silo-1", primaryPort, primaryPort, store);
        using var second = BuildSilo("silo-2", FreePort(), primaryPort, store);
        await first.StartAsync();
        await second.StartAsync();

        var grains = first.Services.GetRequiredService<IGrainFactory>();
        var greeter = grains.GetGrain<IAgentGrain>($"{GuildId}/greeter");
        var librarian = grains.GetGrain<IAgentGrain>($"{GuildId}/librarian");
        Console.WriteLine(await greeter.HearAsync("hello"));
        Console.WriteLine(await librarian.HearAsync("find me a book"));

        // Both agents at once, likely on different silos: their writes to the guild's journal race on its ETag.
        var replies = await Task.WhenAll(
            Enumerable.Range(1, 3).SelectMany(i => new[] { greeter.HearAsync($"question {i}"), librarian.HearAsync($"request {i}") }));
        foreach (var reply in replies)
        {
            Console.WriteLine(reply);
        }

        await second.StopAsync();
        await first.StopAsync();

        // The grains' state, read through the TypedState API: the same records `typedstate get` shows.
        var greeterMemory = await AgentMemory.LoadAsync(state.ForAgent(GuildId, "greeter"));
        var librarianMemory = await AgentMemory.LoadAsync(state.ForAgent(GuildId, "librarian"));
        var journal = await state.GetAsync(StateOwner.Guild(GuildId), "journal", GuildJournal.StateSchema.TypeInfo);
        Console.WriteLine($"stored: greeter {greeterMemory.Value.Turns} turns, librarian {librarianMemory.Value.Turns} turns, journal {journal.Value?.Entries.Count ?? 0} entries (version {journal.Version})");
        return 0;
    }

    private static IHost BuildSilo(string name, int siloPort, int primaryPort, Action<TypedStateBuilder> store)
    {
        var builder = Host.CreateApplicationBuilder();
        // The journal's ETag conflicts are expected and retried by the grains; Orleans logs each refused write as an error.
        builder.Logging.SetMinimumLevel(LogLevel.Error).AddFilter(typeof(TypedStateGrainStorage).FullName, LogLevel.None);
        builder.Services.AddTypedState(store);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, FreePort(), new IPEndPoint(IPAddress.Loopback, primaryPort))
            .Configure<SiloOptions>(o => o.SiloName = name)
            .AddTypedStateGrainStorage(StorageName, o => o.MapAgents<AgentGrain>()));
        return builder.Build();
    }

    // Free loopback ports, so that several runs (and tests) never collide.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
