using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TypedState.Guilds;
using TypedState.InMemory;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Tests.DependencyInjection;

/// <summary><c>services.AddTypedState(b => …)</c>: driver selection in code and from configuration.</summary>
public sealed class AddTypedStateTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("TypedState:" + v.Key, v.Value)))
            .Build()
            .GetSection("TypedState");

    [Fact]
    public async Task UseInMemory_registers_a_working_state_manager_and_guild_host()
    {
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseInMemory());
        await using var provider = services.BuildServiceProvider();

        var state = provider.GetRequiredService<IStateManager>();
        var host = provider.GetRequiredService<GuildHost>();

        Assert.IsType<InMemoryStateDriver>(provider.GetRequiredService<IStateDriver>());
        Assert.Same(state, provider.GetRequiredService<StateManager>());
        Assert.Same(state, provider.GetRequiredService<IStateManager>());
        Assert.Same(state, host.State);
        await state.SetAsync(StateOwner.Global, "k", 1);
        Assert.Equal(1, (await state.GetAsync<int>(StateOwner.Global, "k")).Value);

        var guild = host.StartGuild("g");
        guild.AddAgent("a", new Testing.VisitCounterAgent());
        await guild.SendAsync("a", new Testing.Visit("di"));
        Assert.Equal(1, (await state.GetAsync<int>(StateOwner.Agent("g", "a"), "visits")).Value);
    }

    [Fact]
    public async Task The_guild_timelines_of_the_registered_store_are_resolvable()
    {
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseInMemory());
        await using var provider = services.BuildServiceProvider();

        var timelines = provider.GetRequiredService<IGuildTimelines>();
        var state = provider.GetRequiredService<StateManager>();
        Assert.Same(state.Timelines, timelines);
        await timelines.StartAsync("g");
        await state.SetAsync(StateOwner.Guild("g"), "k", "v");
        Assert.Equal(1, (await timelines.GetAsync("g"))!.Head);
    }

    [Fact]
    public async Task UseConfiguration_selects_the_in_memory_driver_and_applies_MaxValueBytes()
    {
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseConfiguration(Section(("Driver", "InMemory"), ("MaxValueBytes", "128"))));
        await using var provider = services.BuildServiceProvider();

        var state = provider.GetRequiredService<StateManager>();

        Assert.IsType<InMemoryStateDriver>(state.Driver);
        Assert.Equal(128, state.Options.MaxValueBytes);
        Assert.Equal(512, state.Options.MaxKeyLength);
        await state.SetAsync(StateOwner.Global, "fits", new string('x', 126));
        var ex = await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetAsync(StateOwner.Global, "big", new string('x', 127)).AsTask());
        Assert.Equal(128, ex.Limit);
    }

    [Fact]
    public async Task UseConfiguration_matches_driver_names_case_insensitively_and_binds_MaxKeyLength_and_LockHolder()
    {
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseConfiguration(Section(("Driver", "inmemory"), ("MaxKeyLength", "4"), ("LockHolder", "web-3"))));
        await using var provider = services.BuildServiceProvider();

        var state = provider.GetRequiredService<StateManager>();

        Assert.IsType<InMemoryStateDriver>(state.Driver);
        Assert.Equal(4, state.Options.MaxKeyLength);
        await Assert.ThrowsAsync<InvalidStateKeyException>(() => state.SetAsync(StateOwner.Global, "12345", 1).AsTask());
        await using var held = await state.AcquireLockAsync(StateOwner.Global, null, TimeSpan.FromMinutes(1), TimeSpan.Zero);
        var listed = new List<HeldLock>();
        await foreach (var one in state.ListLocksAsync())
        {
            listed.Add(one);
        }

        Assert.Equal(("web-3", held.FencingToken), (Assert.Single(listed).Holder, listed[0].Token));
    }

    [Fact]
    public void An_unknown_configured_driver_throws_InvalidOperationException_listing_the_known_drivers()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddTypedState(b => b
            .AddDriver("Custom", static (builder, _) => builder.UseDriver("Custom", _ => new InMemoryStateDriver()))
            .UseConfiguration(Section(("Driver", "Cassandra")))));

        Assert.Contains("Cassandra", ex.Message, StringComparison.Ordinal);
        Assert.Contains("InMemory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Custom", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choosing_no_driver_throws_InvalidOperationException()
    {
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTypedState(_ => { }));
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTypedState(b => b.UseConfiguration(Section(("MaxValueBytes", "100")))));
    }

    [Fact]
    public async Task A_non_integer_setting_throws_InvalidOperationException_naming_the_setting()
    {
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseConfiguration(Section(("Driver", "InMemory"), ("MaxValueBytes", "lots"))));
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IStateManager>());

        Assert.Contains("TypedState:MaxValueBytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("lots", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseDriver_of_a_type_builds_it_with_services_from_the_container_and_disposes_it()
    {
        var services = new ServiceCollection();
        var probe = new DriverProbe();
        services.AddSingleton(probe);
        services.AddTypedState(b => b.UseDriver<ProbeDriver>());
        ProbeDriver driver;
        await using (var provider = services.BuildServiceProvider())
        {
            var state = provider.GetRequiredService<IStateManager>();
            driver = Assert.IsType<ProbeDriver>(provider.GetRequiredService<IStateDriver>());

            await state.SetAsync(StateOwner.Guild("g"), "k", "through the probe");

            Assert.Same(probe, driver.Probe);
            Assert.Equal(1, probe.Commits);
            Assert.Equal("through the probe", (await state.GetAsync<string>(StateOwner.Guild("g"), "k")).Value);
            Assert.False(driver.Disposed);
        }

        Assert.True(driver.Disposed);
    }

    [Fact]
    public async Task UseDriver_with_a_name_and_factory_builds_one_driver_for_the_container()
    {
        var services = new ServiceCollection();
        var built = 0;
        services.AddTypedState(b => b.UseDriver("probe", _ =>
        {
            built++;
            return new ProbeDriver(new DriverProbe());
        }));
        await using var provider = services.BuildServiceProvider();

        var state = provider.GetRequiredService<IStateManager>();
        var again = provider.GetRequiredService<IStateDriver>();
        await state.SetAsync(StateOwner.Global, "k", 1);

        Assert.Equal(1, built);
        Assert.Same(again, ((StateManager)state).Driver);
        Assert.Equal(1, ((ProbeDriver)again).Probe.Commits);
    }

    [Fact]
    public async Task A_driver_added_by_name_is_selectable_from_configuration_with_its_own_section()
    {
        var services = new ServiceCollection();
        string? seenSetting = null;
        services.AddTypedState(b => b
            .UseConfiguration(Section(("Driver", "Probe"), ("Probe:Flavor", "salty")))
            .AddDriver("Probe", (builder, section) =>
            {
                seenSetting = section["Flavor"];
                builder.UseDriver("Probe", _ => new ProbeDriver(new DriverProbe()));
            }));
        await using var provider = services.BuildServiceProvider();

        Assert.Equal("salty", seenSetting);
        Assert.IsType<ProbeDriver>(provider.GetRequiredService<StateManager>().Driver);
    }

    [Fact]
    public async Task Configure_changes_the_managers_limits()
    {
        var services = new ServiceCollection();
        services.AddTypedState(b => b.UseInMemory().Configure(o => o.MaxValueBytes = 32));
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(32, provider.GetRequiredService<StateManager>().Options.MaxValueBytes);
    }

    [Fact]
    public void AddTypedState_rejects_null_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddTypedState(null!));
        Assert.Throws<ArgumentNullException>(() => TypedStateServiceCollectionExtensions.AddTypedState(null!, b => b.UseInMemory()));
    }

    /// <summary>A service the probe driver's constructor takes from the container.</summary>
    public sealed class DriverProbe
    {
        private int _commits;

        public int Commits => Volatile.Read(ref _commits);

        public void Commit() => Interlocked.Increment(ref _commits);
    }

    /// <summary>A custom driver: the in-memory driver, counting commits and remembering disposal.</summary>
    public sealed class ProbeDriver(DriverProbe probe) : IStateDriver
    {
        private readonly InMemoryStateDriver _inner = new();

        public DriverProbe Probe { get; } = probe;

        public bool Disposed { get; private set; }

        public string Name => "probe";

        public ValueTask<StoredRecord?> ReadAsync(StateOwner owner, string key, CancellationToken cancellationToken) => _inner.ReadAsync(owner, key, cancellationToken);

        public IAsyncEnumerable<StoredRecord> ListAsync(StateOwner owner, string prefix, CancellationToken cancellationToken) => _inner.ListAsync(owner, prefix, cancellationToken);

        public IAsyncEnumerable<StateOwner> ListOwnersAsync(Scope scope, CancellationToken cancellationToken) => _inner.ListOwnersAsync(scope, cancellationToken);

        public ValueTask<CommitResult> CommitAsync(IReadOnlyList<StateWrite> writes, IReadOnlyList<StateFence> fences, CommitId commitId, CancellationToken cancellationToken)
        {
            Probe.Commit();
            return _inner.CommitAsync(writes, fences, commitId, cancellationToken);
        }

        public ValueTask<LockGrant?> TryAcquireLockAsync(StateOwner owner, string? key, TimeSpan lease, string? holder, CancellationToken cancellationToken) => _inner.TryAcquireLockAsync(owner, key, lease, holder, cancellationToken);

        public ValueTask<LockGrant?> RenewLockAsync(StateOwner owner, string? key, long token, TimeSpan lease, CancellationToken cancellationToken) => _inner.RenewLockAsync(owner, key, token, lease, cancellationToken);

        public ValueTask ReleaseLockAsync(StateOwner owner, string? key, long token, CancellationToken cancellationToken) => _inner.ReleaseLockAsync(owner, key, token, cancellationToken);

        public IAsyncEnumerable<HeldLock> ListLocksAsync(Scope? scope, CancellationToken cancellationToken) => _inner.ListLocksAsync(scope, cancellationToken);

        public ValueTask RemoveOwnerAsync(StateOwner owner, CancellationToken cancellationToken) => _inner.RemoveOwnerAsync(owner, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            Disposed = true;
            await _inner.DisposeAsync();
        }
    }
}
