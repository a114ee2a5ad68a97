using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using StackExchange.Redis;
using TypedState.Postgres;
using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Tests.Hosting;

/// <summary>
/// TypedState composed with Aspire's client integrations: the store uses the <see cref="NpgsqlDataSource"/> of
/// <c>AddNpgsqlDataSource</c> and the <see cref="IConnectionMultiplexer"/> of <c>AddRedisClient</c>, which TypedState's
/// own configuration never names, and leaves them open when it is disposed.
/// </summary>
public sealed class AspireClientsTests
{
    [Fact]
    public async Task The_store_uses_the_data_source_of_AddNpgsqlDataSource_and_leaves_it_open()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        var schema = PostgresTestServer.NewSchemaName("aspire");
        var builder = NewBuilder(("ConnectionStrings:state", server.ConnectionString));
        builder.AddNpgsqlDataSource("state");
        builder.Services.AddTypedState(b => b.UsePostgresDataSource(configure: o => o.Schema = schema));
        builder.Services.AddHealthChecks().AddTypedState();

        try
        {
            var host = builder.Build();
            await using (host.AsAsyncDisposable())
            {
                await host.StartAsync();
                var state = host.Services.GetRequiredService<IStateManager>();
                Assert.Equal(1, await state.SetAsync(StateOwner.Agent("g", "a"), "k", "shared"));
                Assert.Equal("shared", (await state.GetAsync<string>(StateOwner.Agent("g", "a"), "k")).Value);
                await AssertHealthyAsync(host.Services, "typedstate", "PostgreSql");

                // The driver goes with the host; the data source it was given is the application's, still open.
                var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
                await host.Services.GetRequiredService<IStateDriver>().DisposeAsync();
                await using var command = dataSource.CreateCommand($"SELECT count(*) FROM \"{schema}\".records");
                Assert.Equal(1L, await command.ExecuteScalarAsync());
                await host.StopAsync();
            }
        }
        finally
        {
            await server.DropSchemasAsync([schema]);
        }
    }

    [Fact]
    public async Task The_store_uses_the_multiplexer_of_AddRedisClient_and_leaves_it_open()
    {
        var server = await RedisTestServer.GetSharedAsync();
        var prefix = RedisTestServer.NewKeyPrefix("aspire");
        var builder = NewBuilder(("ConnectionStrings:cache", server.Configuration));
        builder.AddRedisClient("cache");
        builder.Services.AddTypedState(b => b.UseRedisConnection(configure: o => o.KeyPrefix = prefix));
        builder.Services.AddHealthChecks().AddTypedState(name: "state", tags: ["ready"]);

        try
        {
            var host = builder.Build();
            await using var disposal = host.AsAsyncDisposable();
            await host.StartAsync();
            var state = host.Services.GetRequiredService<IStateManager>();
            Assert.Equal(1, await state.SetAsync(StateOwner.Global, "k", 42));
            Assert.Equal(42, (await state.GetAsync<int>(StateOwner.Global, "k")).Value);
            await AssertHealthyAsync(host.Services, "state", "StackExchange.Redis");

            var connection = host.Services.GetRequiredService<IConnectionMultiplexer>();
            await host.Services.GetRequiredService<IStateDriver>().DisposeAsync();
            Assert.True(connection.IsConnected);
            Assert.NotEqual(TimeSpan.Zero, await connection.GetDatabase().PingAsync());
            await host.StopAsync();
        }
        finally
        {
            await server.DeletePrefixesAsync([prefix]);
        }
    }

    private static HostApplicationBuilder NewBuilder(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        return builder;
    }

    /// <summary>Every registered check is healthy: TypedState's (by its name) and the integration's own (by its name's start).</summary>
    private static async Task AssertHealthyAsync(IServiceProvider services, string typedStateCheck, string integrationCheck)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries[typedStateCheck].Status);
        Assert.Contains(report.Entries, e => e.Key.StartsWith(integrationCheck, StringComparison.OrdinalIgnoreCase) && e.Value.Status == HealthStatus.Healthy);
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }
}
