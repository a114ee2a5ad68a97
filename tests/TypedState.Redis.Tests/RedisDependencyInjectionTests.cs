using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TypedState.Redis;
using TypedState.Storage;
using static TypedState.Tests.Fixtures.StateListings;

namespace TypedState.Tests.Redis;

/// <summary><c>UseRedis</c> in code and <c>"Driver": "Redis"</c> from configuration.</summary>
public sealed class RedisDependencyInjectionTests : IAsyncLifetime
{
    private RedisTestDrivers _drivers = null!;

    public async Task InitializeAsync() => _drivers = await RedisTestDrivers.StartAsync("di");

    public Task DisposeAsync() => _drivers.DisposeAsync().AsTask();

    // The options are read and validated when the driver is first built (or the host starts), not at registration.
    private static IStateDriver ResolveDriver(Action<TypedState.DependencyInjection.TypedStateBuilder> configure) =>
        new ServiceCollection().AddTypedState(configure).BuildServiceProvider().GetRequiredService<IStateDriver>();

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("TypedState:" + v.Key, v.Value)))
            .Build()
            .GetSection("TypedState");

    [Fact]
    public async Task UseRedis_with_a_configuration_string_registers_a_working_manager_under_the_default_prefix()
    {
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseRedis(_drivers.Server.Configuration));
        await using var provider = services.BuildServiceProvider();

        var state = provider.GetRequiredService<IStateManager>();
        var driver = Assert.IsType<RedisStateDriver>(provider.GetRequiredService<IStateDriver>());

        Assert.Equal("typedstate", driver.KeyPrefix);
        Assert.Equal("redis", driver.Name);

        // A guild only this test uses, removed again so a user's own server (TYPEDSTATE_TEST_REDIS) keeps nothing.
        var guild = StateOwner.Guild("di-" + Guid.NewGuid().ToString("N"));
        await state.SetAsync(guild, "k", "stored through DI");
        Assert.Equal("stored through DI", (await state.GetAsync<string>(guild, "k")).Value);
        await state.RemoveGuildAsync(guild.GuildIdOrEmpty);
    }

    [Fact]
    public async Task UseRedis_with_options_applies_the_key_prefix_and_page_size()
    {
        var prefix = _drivers.NewPrefix();
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseRedis(o =>
        {
            o.Configuration = _drivers.Server.Configuration;
            o.KeyPrefix = prefix;
            o.ListPageSize = 3;
        }));
        await using var provider = services.BuildServiceProvider();

        var state = provider.GetRequiredService<IStateManager>();
        var driver = Assert.IsType<RedisStateDriver>(provider.GetRequiredService<IStateDriver>());
        for (var i = 0; i < 10; i++)
        {
            await state.SetAsync(StateOwner.Global, $"k{i}", i);
        }

        Assert.Equal(prefix, driver.KeyPrefix);
        Assert.Equal(3, driver.ListPageSize);
        Assert.Equal(10, (await ValuesAsync<int>(state, StateOwner.Global, string.Empty)).Count);
    }

    [Fact]
    public async Task AddRedis_makes_Redis_selectable_from_configuration_case_insensitively_with_its_settings()
    {
        var prefix = _drivers.NewPrefix();
        var services = new ServiceCollection();
        services.AddTypedState(b => b
            .AddRedis()
            .UseConfiguration(Section(
                ("Driver", "redis"),
                ("MaxValueBytes", "1000"),
                ("Redis:Configuration", _drivers.Server.Configuration),
                ("Redis:KeyPrefix", prefix),
                ("Redis:ListPageSize", "2"),
                ("Redis:RemovalBatchSize", "7"),
                ("Redis:CommitIdRetention", "00:02:30"),
                ("Redis:AllowEvictingMemoryPolicy", "false"))));
        await using var provider = services.BuildServiceProvider();

        var state = provider.GetRequiredService<StateManager>();
        var driver = Assert.IsType<RedisStateDriver>(state.Driver);
        Assert.Equal(prefix, driver.KeyPrefix);
        Assert.Equal(2, driver.ListPageSize);
        Assert.Equal(7, driver.RemovalBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(150), driver.CommitIdRetention);
        Assert.Equal(1000, state.Options.MaxValueBytes);

        await state.SetAsync(StateOwner.Agent("g", "a"), "k1", 1);
        await state.SetAsync(StateOwner.Agent("g", "a"), "k2", 2);
        await state.SetAsync(StateOwner.Agent("g", "a"), "k3", 3);
        Assert.Equal(3, (await ValuesAsync<int>(state, StateOwner.Agent("g", "a"), string.Empty)).Count);
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetAsync(StateOwner.Global, "big", new string('x', 1000)).AsTask());
    }

    [Fact]
    public async Task The_container_disposes_the_driver_it_built()
    {
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseRedis(o =>
        {
            o.Configuration = _drivers.Server.Configuration;
            o.KeyPrefix = _drivers.NewPrefix();
        }));
        RedisStateDriver driver;
        await using (var provider = services.BuildServiceProvider())
        {
            var state = provider.GetRequiredService<IStateManager>();
            driver = Assert.IsType<RedisStateDriver>(provider.GetRequiredService<IStateDriver>());
            await state.SetAsync(StateOwner.Global, "k", 1);
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => driver.ReadAsync(StateOwner.Global, "k", CancellationToken.None).AsTask());
    }

    [Fact]
    public void Invalid_Redis_settings_in_configuration_fail_when_the_driver_is_built_naming_the_setting()
    {
        var badNumber = Assert.Throws<InvalidOperationException>(() => ResolveDriver(b => b
            .AddRedis()
            .UseConfiguration(Section(("Driver", "Redis"), ("Redis:Configuration", "127.0.0.1:1"), ("Redis:ListPageSize", "lots")))));
        Assert.Contains("TypedState:Redis:ListPageSize", badNumber.Message, StringComparison.Ordinal);

        var badRetention = Assert.Throws<InvalidOperationException>(() => ResolveDriver(b => b
            .AddRedis()
            .UseConfiguration(Section(("Driver", "Redis"), ("Redis:Configuration", "127.0.0.1:1"), ("Redis:CommitIdRetention", "ten minutes")))));
        Assert.Contains("TypedState:Redis:CommitIdRetention", badRetention.Message, StringComparison.Ordinal);

        var badPrefix = Assert.Throws<OptionsValidationException>(() => ResolveDriver(b => b
            .AddRedis()
            .UseConfiguration(Section(("Driver", "Redis"), ("Redis:Configuration", "127.0.0.1:1"), ("Redis:KeyPrefix", "{app}")))));
        Assert.Contains("KeyPrefix", badPrefix.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<OptionsValidationException>(() => ResolveDriver(b => b
            .AddRedis()
            .UseConfiguration(Section(("Driver", "Redis"), ("Redis:KeyPrefix", "app")))));
        Assert.Contains("Configuration", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_AddRedis_the_Redis_driver_is_unknown_to_configuration()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTypedState(b => b
            .UseConfiguration(Section(("Driver", "Redis"), ("Redis:Configuration", "127.0.0.1:1")))));

        Assert.Contains("Redis", ex.Message, StringComparison.Ordinal);
    }
}
