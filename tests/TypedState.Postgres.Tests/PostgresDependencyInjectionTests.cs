using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TypedState.Postgres;
using TypedState.Storage;
using static TypedState.Tests.Fixtures.StateListings;

namespace TypedState.Tests.Postgres;

/// <summary>Choosing the PostgreSQL driver in code and from configuration.</summary>
public sealed class PostgresDependencyInjectionTests : IAsyncLifetime
{
    private readonly TestSchemas _schemas = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync() => _server = await PostgresTestServer.GetSharedAsync();

    public Task DisposeAsync() => _schemas.DropAllAsync();

    [Fact]
    public async Task UsePostgres_with_a_connection_string_registers_the_driver_with_the_default_schema()
    {
        await using var services = new ServiceCollection()
            .AddTypedState(b => b.UsePostgres(_server.ConnectionString))
            .BuildServiceProvider();

        // Nothing is run against the database here: the default schema may be a real one on a user's own test server.
        var driver = Assert.IsType<PostgresStateDriver>(services.GetRequiredService<IStateDriver>());
        Assert.Equal("typedstate", driver.Schema);
        Assert.Equal(PostgresValueStorage.Jsonb, driver.ValueStorage);
        Assert.Same(driver, services.GetRequiredService<StateManager>().Driver);
    }

    [Fact]
    public async Task UsePostgres_with_options_stores_state_in_the_chosen_schema()
    {
        var schema = _schemas.New("di_code");
        await using var services = new ServiceCollection()
            .AddTypedState(b => b.UsePostgres(o =>
            {
                o.ConnectionString = _server.ConnectionString;
                o.Schema = schema;
            }))
            .BuildServiceProvider();
        var state = services.GetRequiredService<IStateManager>();

        await state.SetAsync(StateOwner.Guild("g"), "k", "from code");

        Assert.Equal("from code", (await state.GetAsync<string>(StateOwner.Guild("g"), "k")).Value);
        Assert.Equal(1L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records"));
    }

    [Fact]
    public async Task Configuration_selects_postgres_with_its_settings()
    {
        var schema = _schemas.New("di_config");
        var configuration = Configuration(
            ("Driver", "postgres"),
            ("Postgres:ConnectionString", _server.ConnectionString),
            ("Postgres:Schema", schema),
            ("Postgres:ListPageSize", "2"),
            ("Postgres:ValueStorage", "bytea"));

        await using var services = new ServiceCollection()
            .AddTypedState(b => b.AddPostgres().UseConfiguration(configuration))
            .BuildServiceProvider();
        var state = services.GetRequiredService<IStateManager>();
        for (var i = 0; i < 5; i++)
        {
            await state.SetAsync(StateOwner.Guild("g"), $"k{i}", i);
        }

        Assert.Equal([0, 1, 2, 3, 4], await ValuesAsync<int>(state, StateOwner.Guild("g"), "k"));
        var driver = Assert.IsType<PostgresStateDriver>(services.GetRequiredService<IStateDriver>());
        Assert.Equal(schema, driver.Schema);
        Assert.Equal(PostgresValueStorage.Bytea, driver.ValueStorage);
        Assert.Equal(5L, await _server.ScalarAsync($"SELECT count(*) FROM \"{schema}\".records WHERE value IS NULL AND value_bytes IS NOT NULL"));
    }

    [Fact]
    public void Bad_configured_settings_are_named_in_the_error()
    {
        var pageSize = Assert.Throws<InvalidOperationException>(() => ResolveDriver(b => b
            .AddPostgres()
            .UseConfiguration(Configuration(("Driver", "Postgres"), ("Postgres:ConnectionString", _server.ConnectionString), ("Postgres:ListPageSize", "many")))));
        Assert.Contains("TypedState:Postgres:ListPageSize", pageSize.Message, StringComparison.Ordinal);
        Assert.Contains("many", pageSize.Message, StringComparison.Ordinal);

        var storage = Assert.Throws<InvalidOperationException>(() => ResolveDriver(b => b
            .AddPostgres()
            .UseConfiguration(Configuration(("Driver", "Postgres"), ("Postgres:ConnectionString", _server.ConnectionString), ("Postgres:ValueStorage", "text")))));
        Assert.Contains("TypedState:Postgres:ValueStorage", storage.Message, StringComparison.Ordinal);

        var schema = Assert.Throws<OptionsValidationException>(() => ResolveDriver(b => b
            .AddPostgres()
            .UseConfiguration(Configuration(("Driver", "Postgres"), ("Postgres:ConnectionString", _server.ConnectionString), ("Postgres:Schema", "state; DROP")))));
        Assert.Contains("state; DROP", schema.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<OptionsValidationException>(() => ResolveDriver(b => b
            .AddPostgres()
            .UseConfiguration(Configuration(("Driver", "Postgres")))));
        Assert.Contains("ConnectionString", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_AddPostgres_the_configured_name_is_unknown()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTypedState(b => b
            .UseConfiguration(Configuration(("Driver", "Postgres"), ("Postgres:ConnectionString", _server.ConnectionString)))));

        Assert.Contains("Postgres", error.Message, StringComparison.Ordinal);
    }

    // The options are read and validated when the driver is first built (or the host starts), not at registration.
    private static IStateDriver ResolveDriver(Action<TypedState.DependencyInjection.TypedStateBuilder> configure) =>
        new ServiceCollection().AddTypedState(configure).BuildServiceProvider().GetRequiredService<IStateDriver>();

    private static IConfigurationSection Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("TypedState:" + v.Key, v.Value)))
            .Build()
            .GetSection("TypedState");
}
