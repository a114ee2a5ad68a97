using System.Text;
using TypedState.CompilerServices;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task The_migrator_upgrades_every_v1_and_v2_record_of_the_type_in_batches_and_touches_nothing_else(string scope) =>
        ForProbe(scope, new UpgradesEverything());

    private sealed class UpgradesEverything : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var scope = T.Schema.Scope;
            var owners = ProbeOwners(scope, 11);
            var expected = new Dictionary<StateOwner, string>();
            var seeded = new Dictionary<StateOwner, long>();
            var (v1Ids, v2Ids, current) = (new HashSet<string>(), new HashSet<string>(), 0);
            for (var i = 0; i < owners.Count; i++)
            {
                var owner = owners[i];
                var id = IdOf(owner);
                string doc;
                switch (i % 3)
                {
                    case 0:
                        doc = ProbeSteps.V1(id, $"t{i}", i);
                        expected[owner] = ProbeSteps.V3(id, $"t{i}", i, "v1>v2", "v2>v3");
                        v1Ids.Add(id);
                        break;
                    case 1:
                        doc = ProbeSteps.V2(id, $"t{i}", i);
                        expected[owner] = ProbeSteps.V3(id, $"t{i}", i, "v2>v3");
                        v2Ids.Add(id);
                        break;
                    default:
                        doc = ProbeSteps.V3(id, $"t{i}", i, "written at v3");
                        expected[owner] = doc;
                        current++;
                        break;
                }

                seeded[owner] = await WriteRawAsync(driver, owner, ProbeKey, Utf8(doc));
            }

            // Records that must stay as they are: other keys of the same owners (one looks like a v1 probe), an owner
            // of the scope without a probe record, and the same key in the other scopes.
            var others = new List<(StateOwner Owner, string Key, string Doc)>();
            foreach (var owner in owners)
            {
                others.Add((owner, "probe-other", ProbeSteps.V1(IdOf(owner), "other key", 1)));
                others.Add((owner, "probe/child", "{\"child\":true}"));
            }

            var bystander = scope switch
            {
                Scope.Agent => StateOwner.Agent(G1, "bystander"),
                Scope.Guild => StateOwner.Guild("bystander"),
                _ => (StateOwner?)null,
            };
            if (bystander is { } b)
            {
                others.Add((b, "unrelated", "[1,2,3]"));
            }

            foreach (var otherScope in new[] { Scope.Agent, Scope.Guild, Scope.Global }.Where(s => s != scope))
            {
                others.Add((ProbeOwners(otherScope, 1)[0], ProbeKey, ProbeSteps.V1("other-scope", "other scope", 5)));
            }

            var otherVersions = new List<long>();
            foreach (var (owner, key, doc) in others)
            {
                otherVersions.Add(await WriteRawAsync(driver, owner, key, Utf8(doc)));
            }

            var hooks = new MigrationHooks();
            using var installed = MigrationHooks.Install(hooks);
            var migrator = new StateMigrator(manager, [T.Schema], new StateMigrationOptions { BatchSize = 4 });

            var result = Assert.Single(await migrator.MigrateAsync());

            Assert.Equal(typeof(T), result.StateType);
            Assert.Equal(3, result.Version);
            Assert.Equal(owners.Count + (bystander is null ? 0 : 1), result.OwnersScanned);
            Assert.Equal(v1Ids.Count + v2Ids.Count, result.Upgraded);
            Assert.Equal(current, result.AlreadyCurrent);
            foreach (var owner in owners)
            {
                var upgraded = v1Ids.Contains(IdOf(owner)) || v2Ids.Contains(IdOf(owner));
                await AssertRawAsync(driver, owner, expected[owner], seeded[owner] + (upgraded ? 1 : 0));
                var loaded = await StateAccessors.LoadAsync<T>(manager, owner, CancellationToken.None);
                Assert.Equal(expected[owner], Encoding.UTF8.GetString(T.Schema.Serialize(loaded.Value)));
            }

            for (var i = 0; i < others.Count; i++)
            {
                await AssertRawAsync(driver, others[i].Owner, others[i].Key, others[i].Doc, otherVersions[i]);
            }

            // Each step ran once for each record that needed it.
            Assert.Equal(v1Ids, hooks.IdsOf(1));
            Assert.Equal([.. v1Ids.Union(v2Ids)], hooks.IdsOf(2));
            Assert.Equal(v1Ids.Count * 2 + v2Ids.Count, hooks.Steps.Count);

            // A second run finds nothing to do.
            hooks.Steps.Clear();
            var again = Assert.Single(await migrator.MigrateAsync());
            Assert.Equal(0, again.Upgraded);
            Assert.Equal(owners.Count, again.AlreadyCurrent);
            Assert.Empty(hooks.Steps);
            foreach (var owner in owners)
            {
                var upgraded = v1Ids.Contains(IdOf(owner)) || v2Ids.Contains(IdOf(owner));
                await AssertRawAsync(driver, owner, expected[owner], seeded[owner] + (upgraded ? 1 : 0));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task Reading_an_older_record_upgrades_it_in_memory_without_rewriting_it(string scope) =>
        ForProbe(scope, new UpgradesOnRead());

    private sealed class UpgradesOnRead : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var owner = ProbeOwners(T.Schema.Scope, 1)[0];
            var id = IdOf(owner);
            var hooks = new MigrationHooks();
            using var installed = MigrationHooks.Install(hooks);
            var cases = new[]
            {
                (Doc: ProbeSteps.V1(id, "from v1", 4), Expected: ProbeSteps.V3(id, "from v1", 4, "v1>v2", "v2>v3"), Steps: 2),
                (Doc: ProbeSteps.V2(id, "from v2", 5), Expected: ProbeSteps.V3(id, "from v2", 5, "v2>v3"), Steps: 1),
                (Doc: "{\"$version\":1,\"id\":\"" + id + "\",\"name\":\"explicit v1\",\"count\":6}", Expected: ProbeSteps.V3(id, "explicit v1", 6, "v1>v2", "v2>v3"), Steps: 2),
                (Doc: "{\"id\":\"" + id + "\",\"count\":6,\"trail\":[\"t\"],\"title\":\"version last\",\"$version\":2}", Expected: ProbeSteps.V3(id, "version last", 6, "t", "v2>v3"), Steps: 1),
                (Doc: ProbeSteps.V3(id, "current", 7, "x"), Expected: ProbeSteps.V3(id, "current", 7, "x"), Steps: 0),
            };

            foreach (var (doc, expected, steps) in cases)
            {
                var version = await WriteRawAsync(driver, owner, ProbeKey, Utf8(doc));
                hooks.Steps.Clear();

                var loaded = await StateAccessors.LoadAsync<T>(manager, owner, CancellationToken.None);
                Assert.True(loaded.Exists);
                Assert.Equal(version, loaded.Version);
                Assert.Equal(expected, Encoding.UTF8.GetString(T.Schema.Serialize(loaded.Value)));
                Assert.Equal(steps, hooks.Steps.Count);

                var entry = await manager.GetAsync(owner, ProbeKey, T.Schema.TypeInfo);
                Assert.Equal(expected, Encoding.UTF8.GetString(T.Schema.Serialize(entry.Value!)));
                var listed = Assert.Single(await ListTypedAsync(manager, owner, ProbeKey, T.Schema));
                Assert.Equal(expected, Encoding.UTF8.GetString(T.Schema.Serialize(listed.Value!)));

                // Reading rewrites nothing.
                await AssertRawAsync(driver, owner, doc, version);
            }

            // Saving the loaded value writes it at the current version.
            var version1 = await WriteRawAsync(driver, owner, ProbeKey, Utf8(ProbeSteps.V1(id, "saved", 8)));
            var tracked = await StateAccessors.LoadAsync<T>(manager, owner, CancellationToken.None);
            await tracked.SaveAsync();
            Assert.Equal(version1 + 1, tracked.Version);
            await AssertRawAsync(driver, owner, ProbeSteps.V3(id, "saved", 8, "v1>v2", "v2>v3"), version1 + 1);
        }
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_record_holding_null_written_through_the_store_is_left_alone_by_the_migrator(string scope) =>
        ForProbe(scope, new SkipsNullRecords());

    private sealed class SkipsNullRecords : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var owners = ProbeOwners(T.Schema.Scope, 2);
            var holdingNull = owners[0];

            // The store's own API stores null for a state type like for any reference type…
            var nullVersion = await manager.SetAsync(holdingNull, ProbeKey, default!, T.Schema.TypeInfo);
            var entry = await manager.GetAsync(holdingNull, ProbeKey, T.Schema.TypeInfo);
            Assert.True(entry.Exists);
            Assert.Null(entry.Value);
            var others = owners.Skip(1).ToList();
            foreach (var owner in others)
            {
                await WriteRawAsync(driver, owner, ProbeKey, Utf8(ProbeSteps.V1(IdOf(owner), "t", 1)));
            }

            // …so the migrator does not stop on it: there is nothing to upgrade.
            var result = Assert.Single(await new StateMigrator(manager, [T.Schema]).MigrateAsync());

            Assert.Equal(others.Count, result.Upgraded);
            Assert.Equal(1, result.AlreadyCurrent);
            await AssertRawAsync(driver, holdingNull, "null", nullVersion);
            foreach (var owner in others)
            {
                await AssertRawAsync(driver, owner, ProbeSteps.V3(IdOf(owner), "t", 1, "v1>v2", "v2>v3"), 2);
            }
        }
    }

    [Fact]
    public async Task The_migrator_upgrades_each_registered_type_in_turn_and_reports_each()
    {
        var manager = await CreateManagerAsync();
        var driver = manager.Driver;
        var agent = StateOwner.Agent(G1, A1);
        var guild = StateOwner.Guild(G1);
        await WriteRawAsync(driver, agent, ProbeKey, Utf8(ProbeSteps.V1("a", "agent", 1)));
        await WriteRawAsync(driver, guild, ProbeKey, Utf8(ProbeSteps.V2("g", "guild", 2)));
        await WriteRawAsync(driver, StateOwner.Global, ProbeKey, Utf8(ProbeSteps.V3("o", "global", 3)));
        var migrator = new StateMigrator(manager, [AgentProbe.StateSchema, GuildProbe.StateSchema, GlobalProbe.StateSchema, AgentProbe.StateSchema]);

        Assert.Equal(3, migrator.Schemas.Count);
        var results = await migrator.MigrateAsync();

        Assert.Equal([typeof(AgentProbe), typeof(GuildProbe), typeof(GlobalProbe)], results.Select(r => r.StateType));
        Assert.Equal([1L, 1L, 0L], results.Select(r => r.Upgraded));
        Assert.Equal([0L, 0L, 1L], results.Select(r => r.AlreadyCurrent));
        Assert.Equal([1L, 1L, 1L], results.Select(r => r.OwnersScanned));
        Assert.All(results, r => Assert.Equal(3, r.Version));
        await AssertRawAsync(driver, agent, ProbeSteps.V3("a", "agent", 1, "v1>v2", "v2>v3"), 2);
        await AssertRawAsync(driver, guild, ProbeSteps.V3("g", "guild", 2, "v2>v3"), 2);
        await AssertRawAsync(driver, StateOwner.Global, ProbeSteps.V3("o", "global", 3), 1);
    }
}
