using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Testing;

/// <summary>
/// What the timeline suites share (<see cref="TimelineConformanceTests"/>, <see cref="TimelineSnapshotConformanceTests"/>):
/// fresh managers over fresh drivers, the guild and agents the tests use, and readers of entries and states.
/// </summary>
public abstract class TimelineConformanceBase : IAsyncLifetime
{
    private readonly List<StateManager> _managers = [];
    private readonly List<IStateDriver> _drivers = [];

    /// <summary>The guild most tests log.</summary>
    protected const string G = "timeline-guild";

    /// <summary>Guild <see cref="G"/>.</summary>
    protected static StateOwner Guild => StateOwner.Guild(G);

    /// <summary>Agent <c>a1</c> of guild <see cref="G"/>.</summary>
    protected static StateOwner AgentA => StateOwner.Agent(G, "a1");

    /// <summary>Agent <c>a2</c> of guild <see cref="G"/>.</summary>
    protected static StateOwner AgentB => StateOwner.Agent(G, "a2");

    /// <summary>
    /// Whether one commit may touch one root only (a guild with its agents, or global state), as on a sharded store (the
    /// Redis driver on a Redis Cluster). A fork reads its source and writes its own guild, two roots, so such a driver
    /// refuses forks with a <see cref="StateException"/> that says nothing was applied; the fork tests check that refusal.
    /// </summary>
    protected virtual bool TransactionsStayWithinOneRoot => false;

    /// <summary>
    /// Where transactions stay within one root: asserts that forking <paramref name="sourceGuildId"/> at
    /// <paramref name="atSequence"/> into <paramref name="newGuildId"/> is refused as not applied and creates nothing, and
    /// returns true (a test of what forks do ends there). Elsewhere returns false.
    /// </summary>
    protected async Task<bool> ForksRefusedAsync(StateManager state, string sourceGuildId, long atSequence, string newGuildId)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!TransactionsStayWithinOneRoot)
        {
            return false;
        }

        var refused = await Assert.ThrowsAnyAsync<StateException>(async () => await state.Timelines.ForkAsync(sourceGuildId, atSequence, newGuildId));
        Assert.IsNotType<StateTimelineException>(refused);
        Assert.Equal(StateWriteOutcome.NotApplied, refused.Outcome);
        Assert.Contains("not applied", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await LiveAsync(state, StateOwner.Guild(newGuildId)));
        return true;
    }

    /// <summary>Creates a fresh, empty driver that keeps timelines; it must share nothing with earlier ones.</summary>
    protected abstract ValueTask<IStateDriver> CreateDriverAsync();

    /// <summary>A new manager over a new, empty driver; disposed (with its driver) after the test.</summary>
    protected async Task<StateManager> CreateManagerAsync()
    {
        var driver = await CreateDriverAsync();
        Assert.IsAssignableFrom<ITimelineDriver>(driver);
        _drivers.Add(driver);
        return CreateManagerOver(driver);
    }

    /// <summary>A second manager over the same driver (another client of the same store).</summary>
    protected StateManager CreateManagerOver(IStateDriver driver)
    {
        var manager = new StateManager(driver);
        _managers.Add(manager);
        return manager;
    }

    /// <summary>Every entry of the guild's timeline after <paramref name="after"/>.</summary>
    protected static async Task<List<TimelineEntry>> EntriesAsync(StateManager state, string guildId, long after = 0)
    {
        var entries = new List<TimelineEntry>();
        await foreach (var entry in state.Timelines.ReadAsync(guildId, after))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>The owner's live string records as (key, value, version), in key order.</summary>
    protected static async Task<List<(string Key, string? Value, long Version)>> LiveAsync(StateManager state, StateOwner owner)
    {
        var records = new List<(string, string?, long)>();
        await foreach (var entry in state.ListAsync<string>(owner, string.Empty))
        {
            records.Add((entry.Key, entry.Value, entry.Version));
        }

        return records;
    }

    /// <summary>The owner's string records as of <paramref name="sequence"/>, as (key, value, version), in key order.</summary>
    protected static async Task<List<(string Key, string? Value, long Version)>> AsOfAsync(StateManager state, StateOwner owner, long sequence)
    {
        var records = new List<(string, string?, long)>();
        await foreach (var entry in state.Timelines.ListAsOfAsync<string>(owner, string.Empty, sequence))
        {
            records.Add((entry.Key, entry.Value, entry.Version));
        }

        return records;
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
    }
}
