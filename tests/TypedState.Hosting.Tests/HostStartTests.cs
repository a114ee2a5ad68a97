using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TypedState.Sqlite;
using TypedState.Storage;

namespace TypedState.Tests.Hosting;

/// <summary>
/// The settings are bound through <see cref="IOptions{TOptions}"/> when the host builds them and refused when the
/// host starts: unknown keys, bad values and missing connection strings stop the start, before anything uses state.
/// </summary>
public sealed class HostStartTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_misspelt_driver_setting_stops_the_host_start_naming_the_key_and_the_known_ones()
    {
        using var host = Build(("TypedState:Driver", "Sqlite"), ("TypedState:Sqlite:ConnectionString", _directory.ConnectionString("a.db")), ("TypedState:Sqlite:Sychronous", "Normal"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("'Sychronous'", error.Message, StringComparison.Ordinal);
        Assert.Contains("TypedState:Sqlite", error.Message, StringComparison.Ordinal);
        Assert.Contains("Synchronous", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory.Path, "a.db")));
    }

    [Fact]
    public async Task A_misspelt_top_level_or_migration_setting_stops_the_host_start()
    {
        using var topLevel = Build(("TypedState:Driver", "InMemory"), ("TypedState:MaxValueByte", "100"));
        var top = await Assert.ThrowsAsync<InvalidOperationException>(() => topLevel.StartAsync());
        Assert.Contains("'MaxValueByte'", top.Message, StringComparison.Ordinal);
        Assert.Contains("MaxValueBytes", top.Message, StringComparison.Ordinal);

        using var migrations = Build(("TypedState:Driver", "InMemory"), ("TypedState:Migrations:BatchSise", "10"));
        var migration = await Assert.ThrowsAsync<InvalidOperationException>(() => migrations.StartAsync());
        Assert.Contains("'BatchSise'", migration.Message, StringComparison.Ordinal);
        Assert.Contains("TypedState:Migrations", migration.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_value_stops_the_host_start_with_an_options_validation_error()
    {
        using var pageSize = Build(("TypedState:Driver", "Sqlite"), ("TypedState:Sqlite:ConnectionString", _directory.ConnectionString("b.db")), ("TypedState:Sqlite:ListPageSize", "0"));
        var driver = await Assert.ThrowsAsync<OptionsValidationException>(() => pageSize.StartAsync());
        Assert.Contains("ListPageSize", driver.Message, StringComparison.Ordinal);

        using var manager = Build(("TypedState:Driver", "InMemory"), ("TypedState:MaxKeyLength", "0"));
        var limits = await Assert.ThrowsAsync<OptionsValidationException>(() => manager.StartAsync());
        Assert.Contains("MaxKeyLength", limits.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_name_without_its_connection_string_stops_the_host_start()
    {
        using var host = Build(("TypedState:Driver", "Sqlite"), ("TypedState:Sqlite:ConnectionName", "state"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:state", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_name_reads_the_ConnectionStrings_section()
    {
        var host = Build(
            ("TypedState:Driver", "Sqlite"),
            ("TypedState:Sqlite:ConnectionName", "state"),
            ("ConnectionStrings:state", _directory.ConnectionString("named.db")));
        await host.StartAsync();

        await host.Services.GetRequiredService<IStateManager>().SetAsync(StateOwner.Global, "k", 1);

        Assert.True(File.Exists(Path.Combine(_directory.Path, "named.db")));
        await host.StopAsync();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task Settings_come_from_the_options_when_built_so_later_sources_and_Configure_calls_apply()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("TypedState:Driver", "Sqlite"), new("TypedState:Sqlite:ConnectionString", _directory.ConnectionString("first.db"))]);
        builder.Services.AddTypedState(b => b.AddSqlite().UseConfiguration(builder.Configuration.GetSection("TypedState")));

        // Both come after the registration: a configuration source (as an environment would add) and code.
        builder.Configuration.AddInMemoryCollection([new("TypedState:Sqlite:ConnectionString", _directory.ConnectionString("later.db"))]);
        builder.Services.Configure<SqliteStateDriverOptions>(o => o.ListPageSize = 7);
        var host = builder.Build();
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<SqliteStateDriverOptions>>().Value;
        Assert.Equal(7, options.ListPageSize);
        var driver = Assert.IsType<SqliteStateDriver>(host.Services.GetRequiredService<IStateDriver>());
        Assert.Equal(Path.Combine(_directory.Path, "later.db"), driver.DataSource);
        await host.StopAsync();
        await host.DisposeAsync();
    }

    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Services.AddTypedState(b => b.AddSqlite().UseConfiguration(builder.Configuration.GetSection("TypedState")));
        return builder.Build();
    }
}
