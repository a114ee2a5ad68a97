using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TypedState.Sqlite;
using TypedState.Guilds;
using TypedState.Timeline;

namespace TypedState.Tests.Sqlite;

/// <summary>A configured SQLite file exists before first use when asked, and a service provider disposes it synchronously.</summary>
public sealed class SqliteStartupTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task EnsureCreated_makes_the_file_and_its_tables_that_another_connection_can_open_read_only()
    {
        var path = Path.Combine(_directory.Path, "created.db");
        using var services = new ServiceCollection()
            .AddTypedState(b => b.UseSqlite($"Data Source={path}"))
            .BuildServiceProvider();
        Assert.False(File.Exists(path));

        await services.GetRequiredService<StateManager>().EnsureCreatedAsync();

        AssertCreatedFor(path);
    }

    [Fact]
    public async Task EnsureCreatedOnStartup_creates_the_file_when_the_hosted_services_start()
    {
        var path = Path.Combine(_directory.Path, "hosted.db");
        using var services = new ServiceCollection()
            .AddTypedState(b => b.UseSqlite($"Data Source={path}").EnsureCreatedOnStartup().EnsureCreatedOnStartup())
            .BuildServiceProvider();
        var hosted = services.GetServices<IHostedService>().ToList();
        Assert.Single(hosted);
        Assert.False(File.Exists(path));

        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        AssertCreatedFor(path);
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_service_provider_disposed_synchronously_disposes_the_manager_driver_and_guild_host()
    {
        var path = Path.Combine(_directory.Path, "using.db");
        using (var services = new ServiceCollection().AddTypedState(b => b.UseSqlite($"Data Source={path}")).BuildServiceProvider())
        {
            var state = services.GetRequiredService<IStateManager>();
            _ = services.GetRequiredService<GuildHost>();
            _ = services.GetRequiredService<IGuildTimelines>();
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", "kept");
        }

        // The writer and every connection are closed: the file opens exclusively and holds the write.
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var exclusive = connection.CreateCommand();
        exclusive.CommandText = "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;";
        exclusive.ExecuteNonQuery();
        exclusive.CommandText = "SELECT count(*) FROM typedstate_records";
        Assert.Equal(1L, exclusive.ExecuteScalar());
        exclusive.CommandText = "COMMIT";
        exclusive.ExecuteNonQuery();
    }

    /// <summary>A second connection, read-only (it cannot create anything), finds the file in WAL mode with the driver's tables.</summary>
    private static void AssertCreatedFor(string path)
    {
        Assert.True(File.Exists(path));
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('typedstate_schema', 'typedstate_records', 'typedstate_locks')";
        Assert.Equal(3L, command.ExecuteScalar());
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar() as string);
        command.CommandText = "SELECT count(*) FROM typedstate_records";
        Assert.Equal(0L, command.ExecuteScalar());
    }
}
