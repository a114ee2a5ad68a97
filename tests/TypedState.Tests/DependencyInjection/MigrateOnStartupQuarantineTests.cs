using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TypedState.Storage;
using TypedState.Testing;

namespace TypedState.Tests.DependencyInjection;

/// <summary>
/// <c>MigrateOnStartup</c> with <c>TypedState:Migrations:OnFailure = Quarantine</c> from configuration: a failing
/// record is quarantined and logged (event 25), the start goes on, and the rest is upgraded.
/// </summary>
public sealed class MigrateOnStartupQuarantineTests
{
    private static IHost BuildHost(Dictionary<string, string?> settings, LogSink? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddTypedState(b => b.UseInMemory().UseConfiguration(builder.Configuration.GetSection("TypedState")).AddStateType<AgentProbe>().MigrateOnStartup());
        return builder.Build();
    }

    [Fact]
    public async Task A_failing_record_is_quarantined_and_logged_and_the_start_goes_on()
    {
        var logs = new LogSink();
        using var host = BuildHost(new() { ["TypedState:Migrations:OnFailure"] = "quarantine", ["TypedState:Migrations:BatchSize"] = "2" }, logs);
        var options = host.Services.GetRequiredService<IOptions<StateMigrationOptions>>().Value;
        Assert.Equal((StateMigrationFailureAction.Quarantine, 2), (options.OnFailure, options.BatchSize));
        var driver = host.Services.GetRequiredService<IStateDriver>();
        var agents = Enumerable.Range(0, 3).Select(i => StateOwner.Agent("g", $"a{i}")).ToList();
        foreach (var agent in agents)
        {
            var result = await driver.CommitAsync([new StateWrite(agent, "probe", StateWriteKind.Set, Encoding.UTF8.GetBytes(ProbeSteps.V1(agent.AgentId!, "t", 1)), null)], [], CommitId.None, CancellationToken.None);
            Assert.True(result.Succeeded);
        }

        using (MigrationHooks.Install(new MigrationHooks { ThrowFor = id => id == "a1" }))
        {
            await host.StartAsync();
        }

        Assert.Null(await driver.ReadAsync(agents[1], "probe", CancellationToken.None));
        Assert.Equal(2, (await driver.ReadAsync(agents[0], "probe", CancellationToken.None))!.Value.Version);
        Assert.Equal(2, (await driver.ReadAsync(agents[2], "probe", CancellationToken.None))!.Value.Version);
        var kept = new List<QuarantinedRecord>();
        await foreach (var record in host.Services.GetRequiredService<StateQuarantine>().ListAsync())
        {
            kept.Add(record);
        }

        var quarantined = Assert.Single(kept);
        Assert.Equal((agents[1], "probe", 1L), (quarantined.Owner, quarantined.Key, quarantined.Version));
        var logged = Assert.Single(logs.Entries, e => e.EventId == 25);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("agent:g/a1 key 'probe' version 1", logged.Message, StringComparison.Ordinal);
        Assert.Contains(quarantined.Id, logged.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventId == 22 && e.Message.Contains("1 quarantined", StringComparison.Ordinal));
        await host.StopAsync();
    }

    [Fact]
    public async Task An_unknown_OnFailure_in_configuration_fails_the_start_naming_the_setting()
    {
        using var host = BuildHost(new() { ["TypedState:Migrations:OnFailure"] = "Skip" });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => StartUnwrappedAsync(host));

        Assert.Contains("TypedState:Migrations:OnFailure", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Stop, Quarantine", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_to_stop_and_an_undefined_value_is_refused()
    {
        Assert.Equal(StateMigrationFailureAction.Stop, new StateMigrationOptions().OnFailure);
        var manager = new StateManager(new InMemory.InMemoryStateDriver());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new StateMigrator(manager, [], new StateMigrationOptions { OnFailure = (StateMigrationFailureAction)7 }));
        Assert.Equal(nameof(StateMigrationOptions.OnFailure), ex.ParamName);
    }

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

    /// <summary>Keeps every log entry of the host, for the test to look at.</summary>
    private sealed class LogSink : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
