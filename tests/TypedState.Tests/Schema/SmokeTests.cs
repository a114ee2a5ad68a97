using System.Text;
using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.Tests.Schema;

public sealed class SmokeTests
{
    [Fact]
    public async Task Load_save_update_and_migrate()
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var state = manager.ForAgent("g", "a");
        var memory = await ChatMemory.LoadAsync(state);
        Assert.False(memory.Exists);
        memory.Value.Topics.Add("x");
        memory.Value.Turns = 2;
        await memory.SaveAsync();
        Assert.Equal(1, memory.Version);
        var raw = await driver.ReadAsync(StateOwner.Agent("g", "a"), "ChatMemory", default);
        var text = Encoding.UTF8.GetString(raw!.Value.Value.Span);
        Assert.Equal("{\"$version\":3,\"topics\":[\"x\"],\"turns\":2,\"lastSeen\":null}", text);
        var updated = await ChatMemory.UpdateAsync(state, m => m.Turns++);
        Assert.Equal(3, updated.Value.Turns);

        await driver.CommitAsync([new StateWrite(StateOwner.Agent("g", "b"), "ChatMemory", StateWriteKind.Set, Encoding.UTF8.GetBytes("{\"topic\":\"old\",\"count\":7}"), null)], [], CommitId.None, default);
        var old = await ChatMemory.LoadAsync(manager.ForAgent("g", "b"));
        Assert.Equal(["old"], old.Value.Topics);
        Assert.Equal(7, old.Value.Turns);

        var migrator = new StateMigrator(manager, [StateSchema.Of<ChatMemory>()]);
        var results = await migrator.MigrateAsync();
        Assert.Equal(1, results[0].Upgraded);
        Assert.Equal(1, results[0].AlreadyCurrent);
        raw = await driver.ReadAsync(StateOwner.Agent("g", "b"), "ChatMemory", default);
        Assert.Equal("{\"$version\":3,\"topics\":[\"old\"],\"turns\":7,\"lastSeen\":null}", Encoding.UTF8.GetString(raw!.Value.Value.Span));

        var kb = await KnowledgeBase.UpdateAsync(manager, "g", k => k with { Facts = new() { ["a"] = new FactEntry { Text = "t", Confidence = 0.5 } } });
        var again = await KnowledgeBase.LoadAsync(state);
        Assert.Equal(0.5, again.Value.Facts["a"].Confidence);
        Assert.Equal(kb.Version, again.Version);
    }
}
