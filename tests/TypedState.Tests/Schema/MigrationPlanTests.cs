using System.Text;
using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.Tests.Schema;

/// <summary><see cref="StateMigrator.PlanAsync"/>: what the migrator would do, by the migrator's own upgrade, writing nothing.</summary>
public sealed class MigrationPlanTests
{
    private static StateOwner Agent(string id) => StateOwner.Agent("g", id);

    private static async Task WriteAsync(InMemoryStateDriver driver, StateOwner owner, string json)
    {
        var result = await driver.CommitAsync([new StateWrite(owner, "ChatMemory", StateWriteKind.Set, Encoding.UTF8.GetBytes(json), null)], [], CommitId.None, default);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task A_plan_counts_each_stored_version_keeps_samples_lists_every_failure_and_writes_nothing()
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        await WriteAsync(driver, Agent("a"), """{"topic":"old","count":7}""");
        await WriteAsync(driver, Agent("b"), """{"topic":"x","count":1}""");
        await WriteAsync(driver, Agent("c"), """{"$version":2,"topics":["y"],"count":2}""");
        await WriteAsync(driver, Agent("d"), """{"$version":3,"topics":[],"turns":0,"lastSeen":null}""");
        await WriteAsync(driver, Agent("e"), """{"$version":4,"topics":[]}""");
        await WriteAsync(driver, Agent("f"), """{"topic":5}""");
        await WriteAsync(driver, Agent("h"), "{not json");
        var migrator = new StateMigrator(manager, [StateSchema.Of<ChatMemory>()]);

        var plan = await migrator.PlanAsync(new StateMigrationPlanOptions { SampleCount = 1 });

        var type = Assert.Single(plan.Types);
        Assert.Equal((7L, 7L, 3L, 1L, 1L, 2L), (type.OwnersScanned, type.Records, type.WouldUpgrade, type.AlreadyCurrent, type.NewerThanCode, type.WouldFail));
        Assert.Equal(
            ["- 1/0/0/0/1", "1 3/0/2/0/1", "2 1/0/1/0/0", "3 1/1/0/0/0", "4 1/0/0/1/0"],
            type.Versions.Select(v => $"{v.StoredVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} {v.Records}/{v.AlreadyCurrent}/{v.WouldUpgrade}/{v.NewerThanCode}/{v.WouldFail}"));
        var sample = Assert.Single(type.Versions[1].Samples);
        Assert.Equal(Agent("a"), sample.Owner);
        Assert.Equal("""{"$version":3,"topics":["old"],"turns":7,"lastSeen":null}""", Encoding.UTF8.GetString(sample.After.Span));
        Assert.Equal(
            [("e", typeof(StateSchemaTooNewException)), ("f", typeof(StateMigrationException)), ("h", typeof(CorruptStateException))],
            type.Failures.Select(f => (f.Owner.AgentId!, f.Error.GetType())));
        Assert.All(type.Failures, f => Assert.Equal(f.Owner, ((StateException)f.Error).Owner));
        Assert.True(type.Failures[0].IsNewerThanCode);
        Assert.False(plan.WouldSucceed);
        Assert.Equal(3, plan.FailureCount);

        // Nothing was written: every record keeps its first version.
        foreach (var id in (string[])["a", "b", "c", "d", "e", "f", "h"])
        {
            Assert.Equal(1, (await driver.ReadAsync(Agent(id), "ChatMemory", default))!.Value.Version);
        }
    }

    [Fact]
    public async Task The_migrator_upgrades_exactly_what_the_plan_said()
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        await WriteAsync(driver, Agent("a"), """{"topic":"old","count":7}""");
        await WriteAsync(driver, Agent("c"), """{"$version":2,"topics":["y"],"count":2}""");
        await WriteAsync(driver, Agent("d"), """{"$version":3,"topics":[],"turns":0,"lastSeen":null}""");
        var migrator = new StateMigrator(manager, [StateSchema.Of<ChatMemory>()]);

        var plan = await migrator.PlanAsync();
        var result = Assert.Single(await migrator.MigrateAsync());

        Assert.True(plan.WouldSucceed);
        Assert.Equal((plan.Types[0].WouldUpgrade, plan.Types[0].AlreadyCurrent), (result.Upgraded, result.AlreadyCurrent));
        var after = await driver.ReadAsync(Agent("a"), "ChatMemory", default);
        Assert.Equal(plan.Types[0].Versions[0].Samples[0].After.ToArray(), after!.Value.Value.ToArray());
        Assert.Equal(0, (await migrator.PlanAsync()).WouldUpgrade);
    }
}
