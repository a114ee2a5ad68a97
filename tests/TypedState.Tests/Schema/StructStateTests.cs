using TypedState.InMemory;

namespace TypedState.Tests.Schema;

/// <summary>Struct state types through the typed accessors.</summary>
public sealed class StructStateTests
{
    [Fact]
    public async Task An_absent_struct_state_loads_and_updates_from_the_instance_its_constructor_makes()
    {
        await using var manager = new StateManager(new InMemoryStateDriver());
        var state = manager.ForAgent("g", "a");

        var loaded = await Budget.LoadAsync(state);
        Assert.False(loaded.Exists);
        Assert.Equal(100, loaded.Value.Limit);

        var updated = await Budget.UpdateAsync(state, b => b with { Spent = b.Spent + 1 });
        Assert.Equal(100, updated.Value.Limit);
        Assert.Equal(1, updated.Value.Spent);
        Assert.Equal(1, updated.Version);
        var reloaded = await Budget.LoadAsync(state);
        Assert.Equal(100, reloaded.Value.Limit);
        Assert.Equal(1, reloaded.Value.Spent);

        // A document without a member keeps the constructor's value for it.
        Assert.Equal(100, Budget.StateSchema.Deserialize("{\"spent\":3}"u8).Limit);

        var counter = await CounterState.UpdateAsync(state, c => c with { Count = c.Count + 2 });
        Assert.Equal(2, counter.Value.Count);
        Assert.Null(counter.Value.Last);
    }
}
