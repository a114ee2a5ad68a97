using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TypedState.DependencyInjection;
using TypedState.Storage;
using TypedState.Testing;

namespace TypedState.Tests.DependencyInjection;

/// <summary>
/// <c>AddStateType</c> / <c>AddStateTypes</c> / <c>MigrateOnStartup</c> with a Generic Host: the migrator runs as a
/// hosted service before <c>StartAsync</c> returns, and a failing migration fails the start.
/// </summary>
public sealed class MigrateOnStartupTests
{
    private static IHost BuildHost(Action<TypedStateBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddTypedState(configure);
        return builder.Build();
    }

    private static async Task<long> SeedAsync(IHost host, StateOwner owner, string document)
    {
        var driver = host.Services.GetRequiredService<IStateDriver>();
        var result = await driver.CommitAsync([new StateWrite(owner, "probe", StateWriteKind.Set, Encoding.UTF8.GetBytes(document), null)], [], CommitId.None, CancellationToken.None);
        Assert.True(result.Succeeded);
        return result.Versions[0];
    }

    private static async Task<(string Document, long Version)> ReadAsync(IHost host, StateOwner owner)
    {
        var record = await host.Services.GetRequiredService<IStateDriver>().ReadAsync(owner, "probe", CancellationToken.None);
        Assert.NotNull(record);
        return (Encoding.UTF8.GetString(record.Value.Value.Span), record.Value.Version);
    }

    [Fact]
    public async Task Records_seeded_before_the_host_starts_are_upgraded_once_StartAsync_returns()
    {
        using var host = BuildHost(b => b.UseInMemory()
            .AddStateType<AgentProbe>()
            .AddStateType<GuildProbe>()
            .MigrateOnStartup(o => o.BatchSize = 2));
        var agents = Enumerable.Range(0, 5).Select(i => StateOwner.Agent("g", $"a{i}")).ToList();
        foreach (var agent in agents)
        {
            await SeedAsync(host, agent, ProbeSteps.V1(agent.AgentId!, "agent", 1));
        }

        await SeedAsync(host, StateOwner.Guild("g"), ProbeSteps.V2("g", "guild", 2));
        await SeedAsync(host, StateOwner.Global, ProbeSteps.V1("global", "not registered", 3));

        // Building the host runs nothing; starting it runs the migrator's hosted service.
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s.GetType().Name == "StateMigrationHostedService");
        Assert.Equal((ProbeSteps.V1("a0", "agent", 1), 1L), await ReadAsync(host, agents[0]));
        Assert.Equal(2, host.Services.GetRequiredService<IOptions<StateMigrationOptions>>().Value.BatchSize);

        await host.StartAsync();

        foreach (var agent in agents)
        {
            Assert.Equal((ProbeSteps.V3(agent.AgentId!, "agent", 1, "v1>v2", "v2>v3"), 2L), await ReadAsync(host, agent));
        }

        Assert.Equal((ProbeSteps.V3("g", "guild", 2, "v2>v3"), 2L), await ReadAsync(host, StateOwner.Guild("g")));

        // GlobalProbe was not registered: its record is left for the upgrade on read.
        Assert.Equal((ProbeSteps.V1("global", "not registered", 3), 1L), await ReadAsync(host, StateOwner.Global));

        // The migrator in the container has nothing left to do.
        var migrator = host.Services.GetRequiredService<StateMigrator>();
        Assert.Equal([typeof(AgentProbe), typeof(GuildProbe)], migrator.Schemas.Select(s => s.Type));
        var results = await migrator.MigrateAsync();
        Assert.All(results, r => Assert.Equal(0, r.Upgraded));
        Assert.Equal([5L, 1L], results.Select(r => r.AlreadyCurrent));
        await host.StopAsync();
    }

    [Fact]
    public async Task Without_MigrateOnStartup_starting_the_host_rewrites_nothing_and_reads_still_upgrade()
    {
        using var host = BuildHost(b => b.UseInMemory().AddStateType<AgentProbe>());
        var owner = StateOwner.Agent("g", "a");
        await SeedAsync(host, owner, ProbeSteps.V1("a", "old", 4));

        await host.StartAsync();

        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s.GetType().Name == "StateMigrationHostedService");
        Assert.Equal((ProbeSteps.V1("a", "old", 4), 1L), await ReadAsync(host, owner));
        var loaded = await AgentProbe.LoadAsync(host.Services.GetRequiredService<IStateManager>().ForAgent("g", "a"));
        Assert.Equal(4, loaded.Value.Visits);
        Assert.Equal("old", loaded.Value.Title);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_throwing_migration_step_makes_StartAsync_throw_and_leaves_the_record_unchanged()
    {
        using var host = BuildHost(b => b.UseInMemory().AddStateType<AgentProbe>().MigrateOnStartup());
        var bad = StateOwner.Agent("g", "bad");
        await SeedAsync(host, bad, ProbeSteps.V1("bad", "fails", 1));
        using var hooks = MigrationHooks.Install(new MigrationHooks { ThrowFor = id => id == "bad" });

        var ex = await Assert.ThrowsAsync<StateMigrationException>(() => StartUnwrappedAsync(host));

        Assert.Equal(typeof(AgentProbe), ex.StateType);
        Assert.Equal(bad, ex.Owner);
        Assert.Equal("probe", ex.Key);
        Assert.Equal(2, ex.FromVersion);
        Assert.Equal(3, ex.ToVersion);
        Assert.Equal((ProbeSteps.V1("bad", "fails", 1), 1L), await ReadAsync(host, bad));
    }

    [Fact]
    public async Task A_record_written_by_a_newer_build_makes_StartAsync_throw()
    {
        using var host = BuildHost(b => b.UseInMemory().AddStateType<GuildProbe>().MigrateOnStartup());
        var guild = StateOwner.Guild("future");
        await SeedAsync(host, guild, "{\"$version\":9,\"id\":\"future\"}");

        var ex = await Assert.ThrowsAsync<StateSchemaTooNewException>(() => StartUnwrappedAsync(host));

        Assert.Equal(9, ex.StoredVersion);
        Assert.Equal(3, ex.CodeVersion);
        Assert.Equal(guild, ex.Owner);
        Assert.Equal(("{\"$version\":9,\"id\":\"future\"}", 1L), await ReadAsync(host, guild));
    }

    [Fact]
    public void Registering_two_types_with_the_same_scope_and_key_throws_InvalidOperationException()
    {
        // The generator refuses two types with one key in a compilation; a schema built by hand (or another
        // assembly's type) can still collide.
        var impostor = StateSchema.Create<TypedCounter>(Scope.Agent, "probe", 1);
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddTypedState(b => b.UseInMemory().AddStateType<AgentProbe>().AddStateTypes([impostor])));

        Assert.Contains(typeof(AgentProbe).FullName!, ex.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(TypedCounter).FullName!, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'probe'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTypedState(b => b.UseInMemory().AddStateTypes([impostor]).AddStateType<AgentProbe>()));

        // The same key in another scope, and the same type twice, are fine.
        new ServiceCollection().AddTypedState(b => b.UseInMemory().AddStateType<AgentProbe>().AddStateType<GuildProbe>().AddStateType<GlobalProbe>());
        var registry = new StateTypeRegistry();
        registry.Add(AgentProbe.StateSchema);
        registry.Add(AgentProbe.StateSchema);
        registry.Add(StateSchema.Of<AgentProbe>());
        Assert.Single(registry.Schemas);
    }

    [Fact]
    public async Task Every_generated_type_of_the_assembly_can_be_registered_at_once_and_migrated_on_an_empty_store()
    {
        // The probe types are generated in the conformance suite's assembly: register both assemblies' types.
        using var host = BuildHost(b => b.UseInMemory().AddStateTypes(GeneratedStateTypes.All).AddStateTypes(Testing.GeneratedStateTypes.All).AddStateType<AgentProbe>().MigrateOnStartup());

        await host.StartAsync();

        var registry = host.Services.GetRequiredService<StateTypeRegistry>();
        Assert.Equal([.. GeneratedStateTypes.All, .. Testing.GeneratedStateTypes.All], registry.Schemas);
        Assert.Contains(AgentProbe.StateSchema, registry.Schemas);
        Assert.Contains(Schema.Everything.StateSchema, registry.Schemas);
        Assert.Equal(registry.Schemas.Count, registry.Schemas.Select(s => (s.Scope, s.Key)).Distinct().Count());
        var results = await host.Services.GetRequiredService<StateMigrator>().MigrateAsync();
        Assert.All(results, r => Assert.Equal(0, r.OwnersScanned));
        await host.StopAsync();
    }

    /// <summary>Starts the host; a single failure of a hosted service is rethrown as itself.</summary>
    private static async Task StartUnwrappedAsync(IHost host)
    {
        try
        {
            await host.StartAsync();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }
}
