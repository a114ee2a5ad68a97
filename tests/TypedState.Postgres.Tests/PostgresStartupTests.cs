using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using TypedState.Guilds;
using TypedState.Postgres;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Tests.Postgres;

/// <summary>A configured schema exists before first use when asked, and a service provider disposes the driver synchronously.</summary>
public sealed class PostgresStartupTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task EnsureCreated_makes_the_schema_and_its_tables_that_another_connection_sees_at_once()
    {
        var schema = _schemas.New("created");
        using var services = Services(schema, hosted: false);
        Assert.Equal(0L, await TableCountAsync(schema));

        await services.GetRequiredService<StateManager>().EnsureCreatedAsync();

        await AssertCreatedAsync(schema);
    }

    [Fact]
    public async Task EnsureCreatedOnStartup_creates_the_schema_when_the_hosted_services_start()
    {
        var schema = _schemas.New("hosted");
        using var services = Services(schema, hosted: true);
        var hosted = Assert.Single(services.GetServices<IHostedService>());
        Assert.Equal(0L, await TableCountAsync(schema));

        await hosted.StartAsync(CancellationToken.None);

        await AssertCreatedAsync(schema);
        await hosted.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_service_provider_disposed_synchronously_disposes_the_manager_driver_and_guild_host()
    {
        var schema = _schemas.New("using");
        IStateDriver driver;
        using (var services = Services(schema, hosted: false))
        {
            var state = services.GetRequiredService<IStateManager>();
            driver = services.GetRequiredService<IStateDriver>();
            _ = services.GetRequiredService<GuildHost>();
            _ = services.GetRequiredService<IGuildTimelines>();
            await state.SetAsync(StateOwner.Agent("g", "a"), "k", "kept");
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => driver.ReadAsync(StateOwner.Agent("g", "a"), "k", CancellationToken.None).AsTask());
        Assert.Equal(1L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records"));
    }

    private ServiceProvider Services(string schema, bool hosted) =>
        new ServiceCollection()
            .AddTypedState(b =>
            {
                b.UsePostgres(o =>
                {
                    o.ConnectionString = _server.ConnectionString;
                    o.Schema = schema;
                });
                if (hosted)
                {
                    b.EnsureCreatedOnStartup();
                }
            })
            .BuildServiceProvider();

    private async Task<long> TableCountAsync(string schema) =>
        (long)(await _server.ScalarAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}'"))!;

    /// <summary>A connection of its own (not the driver's data source) finds the schema with its tables, empty.</summary>
    private async Task AssertCreatedAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionStringWith("created-check", pooling: false));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{schema}\".records", connection);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
        Assert.True(await TableCountAsync(schema) >= 3);
    }
}
