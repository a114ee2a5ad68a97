using System.Text.Json;
using TypedState.Storage;

namespace TypedState.Testing;

/// <summary>
/// The behaviour every <see cref="IStateDriver"/> must show through a <see cref="StateManager"/>. A driver's test
/// class derives from this class and only says how to make a fresh, empty driver; every test here then runs
/// against that driver unchanged. The tests are split by topic over the partial files next to this one.
/// </summary>
public abstract partial class StateStoreConformanceTests : IAsyncLifetime
{
    private readonly List<StateManager> _managers = [];
    private readonly List<IStateDriver> _drivers = [];

    /// <summary>A guild used by most tests.</summary>
    protected const string G1 = "guild-1";

    /// <summary>Another guild, to show guilds are independent.</summary>
    protected const string G2 = "guild-2";

    /// <summary>An agent of <see cref="G1"/>.</summary>
    protected const string A1 = "agent-1";

    /// <summary>Another agent of <see cref="G1"/>.</summary>
    protected const string A2 = "agent-2";

    /// <summary>Agent <see cref="A1"/> of guild <see cref="G1"/>.</summary>
    protected static StateOwner Agent1 => StateOwner.Agent(G1, A1);

    /// <summary>Agent <see cref="A2"/> of guild <see cref="G1"/>.</summary>
    protected static StateOwner Agent2 => StateOwner.Agent(G1, A2);

    /// <summary>Guild <see cref="G1"/>.</summary>
    protected static StateOwner Guild1 => StateOwner.Guild(G1);

    /// <summary>Guild <see cref="G2"/>.</summary>
    protected static StateOwner Guild2 => StateOwner.Guild(G2);

    /// <summary>Owners of all three scopes, as theory data.</summary>
    public static TheoryData<string> AllScopes => ["agent", "guild", "global"];

    /// <summary>Creates a fresh, empty driver. Every call must return a store that shares nothing with earlier ones.</summary>
    protected abstract ValueTask<IStateDriver> CreateDriverAsync();

    /// <summary>
    /// Creates a fresh, empty driver that reads at most <paramref name="listPageSize"/> records or owners per page,
    /// so that tests reach page boundaries with little data. A driver without a page size returns
    /// <see cref="CreateDriverAsync()"/>.
    /// </summary>
    protected virtual ValueTask<IStateDriver> CreateDriverAsync(int listPageSize) => CreateDriverAsync();

    /// <summary>
    /// Whether one transaction may touch one root only: a guild with its agents, or global state. A sharded store (a
    /// Redis Cluster keeps each guild root in its own hash slot) refuses a transaction over two roots with a
    /// <see cref="StateException"/> whose outcome is <see cref="StateWriteOutcome.NotApplied"/>, and writes nothing.
    /// Tests that commit across roots then check that refusal instead, and show the same behaviour within one guild.
    /// </summary>
    protected virtual bool TransactionsStayWithinOneRoot => false;

    /// <summary>A new manager over a new, empty driver; disposed (with its driver) after the test.</summary>
    protected async Task<StateManager> CreateManagerAsync(StateManagerOptions? options = null) => Track(await CreateDriverAsync(), options);

    /// <summary>A new manager over a new, empty driver with small listing pages (see <see cref="CreateDriverAsync(int)"/>).</summary>
    protected async Task<StateManager> CreateManagerWithPageSizeAsync(int listPageSize) => Track(await CreateDriverAsync(listPageSize), null);

    /// <summary>A second manager over the same driver (another "client" of the same store).</summary>
    protected StateManager CreateManagerOver(IStateDriver driver, StateManagerOptions? options = null)
    {
        var manager = new StateManager(driver, options);
        _managers.Add(manager);
        return manager;
    }

    private StateManager Track(IStateDriver driver, StateManagerOptions? options)
    {
        _drivers.Add(driver);
        var manager = new StateManager(driver, options);
        _managers.Add(manager);
        return manager;
    }

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var manager in _managers)
        {
            await manager.DisposeAsync();
        }

        foreach (var driver in _drivers)
        {
            await driver.DisposeAsync();
        }

        _managers.Clear();
        _drivers.Clear();
    }

    /// <summary>Resolves the owner named by theory data.</summary>
    protected static StateOwner OwnerFor(string scope) => scope switch
    {
        "agent" => Agent1,
        "guild" => Guild1,
        "global" => StateOwner.Global,
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown scope name."),
    };

    /// <summary>Every entry of a listing, in the order listed.</summary>
    protected static async Task<List<StateEntry<T>>> ListAllAsync<T>(IStateOperations state, StateOwner owner, string prefix)
    {
        var entries = new List<StateEntry<T>>();
        await foreach (var entry in state.ListAsync<T>(owner, prefix))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>The keys of a listing, in the order listed (values read as any JSON).</summary>
    protected static async Task<List<string>> ListKeysAsync(IStateOperations state, StateOwner owner, string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in state.ListAsync<JsonElement>(owner, prefix))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }

    /// <summary>The keys of a scoped listing, in the order listed.</summary>
    protected static async Task<List<string>> ListKeysAsync(IScopedStateOperations state, Scope scope, string prefix)
    {
        var keys = new List<string>();
        await foreach (var entry in state.ListAsync<JsonElement>(scope, prefix))
        {
            keys.Add(entry.Key);
        }

        return keys;
    }

    /// <summary>Drains a listing, so that lazily raised errors surface.</summary>
    protected static async Task DrainAsync<T>(IAsyncEnumerable<T> listing)
    {
        await foreach (var item in listing)
        {
            _ = item;
        }
    }

    /// <summary>Writes raw bytes straight through the driver, as a foreign or damaged writer would.</summary>
    protected static async Task<long> WriteRawAsync(IStateDriver driver, StateOwner owner, string key, byte[] bytes)
    {
        var result = await driver.CommitAsync([new StateWrite(owner, key, StateWriteKind.Set, bytes, null)], [], CommitId.None, CancellationToken.None);
        Assert.True(result.Succeeded);
        return result.Versions[0];
    }

    /// <summary>
    /// Asserts that an error names the scope, owner and key it concerns, as properties and in its message.
    /// <paramref name="printedKey"/> is how the key appears in the message when it differs from the key.
    /// </summary>
    protected static void AssertNamesRecord(StateException exception, StateOwner owner, string key, string? printedKey = null)
    {
        Assert.Equal(owner, exception.Owner);
        Assert.Equal(owner.Scope, exception.Scope);
        Assert.Equal(key, exception.Key);
        AssertMessageNamesOwner(exception.Message, owner);
        Assert.Contains($"key '{printedKey ?? key}'", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>Asserts that a message names the scope and the guild and agent ids of <paramref name="owner"/>.</summary>
    protected static void AssertMessageNamesOwner(string message, StateOwner owner)
    {
        Assert.Contains($"scope {owner.Scope}", message, StringComparison.Ordinal);
        if (owner.GuildId is { } guild)
        {
            Assert.Contains($"guild '{guild}'", message, StringComparison.Ordinal);
        }

        if (owner.AgentId is { } agent)
        {
            Assert.Contains($"agent '{agent}'", message, StringComparison.Ordinal);
        }
    }

    /// <summary>Asserts that a record holds <paramref name="value"/> at <paramref name="version"/>.</summary>
    protected static async Task AssertRecordAsync<T>(IStateOperations state, StateOwner owner, string key, T value, long version)
    {
        var entry = await state.GetAsync<T>(owner, key);
        Assert.True(entry.Exists, $"{owner} key '{key}' should exist");
        Assert.Equal(value, entry.Value);
        Assert.Equal(version, entry.Version);
    }

    /// <summary>Asserts that a record is absent.</summary>
    protected static async Task AssertAbsentAsync(IStateOperations state, StateOwner owner, string key)
    {
        var entry = await state.GetAsync<JsonElement>(owner, key);
        Assert.False(entry.Exists, $"{owner} key '{key}' should be absent");
        Assert.Equal(0, entry.Version);
    }
}
