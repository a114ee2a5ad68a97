using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using TypedState.CompilerServices;
using TypedState.Storage;

namespace TypedState.Testing;

/// <summary>
/// Schema migrations of generated state types on every driver: the startup migrator (<see cref="StateMigrator"/>)
/// and the upgrade on read. The probe types (<see cref="AgentProbe"/>, <see cref="GuildProbe"/>,
/// <see cref="GlobalProbe"/>) are at version 3; their steps report to the test's <see cref="MigrationHooks"/>.
/// </summary>
public abstract partial class StateStoreConformanceTests
{
    private const string ProbeKey = "probe";

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task The_migrator_upgrades_every_v1_and_v2_record_of_the_type_in_batches_and_touches_nothing_else(string scope) =>
        ForProbe(scope, new UpgradesEverything());

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task Reading_an_older_record_upgrades_it_in_memory_without_rewriting_it(string scope) =>
        ForProbe(scope, new UpgradesOnRead());

    [Theory]
    [InlineData("agent")]
    [InlineData("guild")]
    public Task An_interrupted_migration_keeps_the_batches_written_and_the_next_run_migrates_the_rest_once(string scope) =>
        ForProbe(scope, new ResumesAfterFailure());

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_record_newer_than_the_code_is_reported_on_read_and_by_the_migrator_and_left_unchanged(string scope) =>
        ForProbe(scope, new RefusesNewerRecords());

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_failing_migration_step_is_reported_on_read_and_by_the_migrator_and_leaves_the_record_unchanged(string scope) =>
        ForProbe(scope, new ReportsFailingSteps());

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_write_during_migration_makes_the_batch_retry_and_is_not_lost(string scope) =>
        ForProbe(scope, new RetriesAfterConcurrentWrites());

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task Corrupt_records_stop_the_migrator_with_CorruptStateException_and_stay_unchanged(string scope) =>
        ForProbe(scope, new ReportsCorruptRecords());

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_record_holding_null_written_through_the_store_is_left_alone_by_the_migrator(string scope) =>
        ForProbe(scope, new SkipsNullRecords());

    [Fact]
    public async Task The_migrator_gives_up_with_StateConflictException_when_every_attempt_of_a_batch_conflicts()
    {
        var manager = await CreateManagerAsync();
        var driver = manager.Driver;
        var owners = ProbeOwners(Scope.Agent, 4);
        var seeded = new Dictionary<StateOwner, (string Doc, long Version)>();
        foreach (var owner in owners)
        {
            var doc = ProbeSteps.V1(IdOf(owner), "t", 1);
            seeded[owner] = (doc, await WriteRawAsync(driver, owner, ProbeKey, Utf8(doc)));
        }

        var target = owners[2];
        var writes = 0;
        var hooks = new MigrationHooks
        {
            // Every attempt to migrate the target's batch meets a record changed since it was read.
            BeforeLastStep = id =>
            {
                if (id == IdOf(target))
                {
                    var doc = ProbeSteps.V1(id, $"write {Interlocked.Increment(ref writes)}", 7);
                    Task.Run(() => WriteRawAsync(driver, target, ProbeKey, Utf8(doc))).GetAwaiter().GetResult();
                }
            },
        };
        using var installed = MigrationHooks.Install(hooks);
        var migrator = new StateMigrator(manager, [AgentProbe.StateSchema], new StateMigrationOptions { BatchSize = 10, MaxBatchAttempts = 2 });

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => migrator.MigrateAsync());

        Assert.Equal(2, writes);
        Assert.Equal(2, hooks.CountOf(IdOf(target), 2));
        Assert.Equal(target, ex.Owner);
        Assert.Equal(ProbeKey, ex.Key);
        foreach (var owner in owners.Where(o => o != target))
        {
            await AssertRawAsync(driver, owner, seeded[owner].Doc, seeded[owner].Version);
        }

        await AssertRawAsync(driver, target, ProbeSteps.V1(IdOf(target), "write 2", 7), seeded[target].Version + 2);
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

    private sealed class ResumesAfterFailure : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var scope = T.Schema.Scope;
            var seeded = new Dictionary<StateOwner, (string Doc, long Version, string Expected)>();
            foreach (var (owner, i) in ProbeOwners(scope, 10).Select((o, i) => (o, i)))
            {
                var id = IdOf(owner);
                var (doc, expected) = i % 2 == 0
                    ? (ProbeSteps.V1(id, $"t{i}", i), ProbeSteps.V3(id, $"t{i}", i, "v1>v2", "v2>v3"))
                    : (ProbeSteps.V2(id, $"t{i}", i), ProbeSteps.V3(id, $"t{i}", i, "v2>v3"));
                seeded[owner] = (doc, await WriteRawAsync(driver, owner, ProbeKey, Utf8(doc)), expected);
            }

            // Batches of 3 in listing order: [0 1 2] [3 4 5] [6 7 8] [9]; the step fails on the 8th record.
            var order = await ListOwnersInOrderAsync(driver, scope);
            Assert.Equal([.. seeded.Keys], order.ToHashSet());
            var failing = order[7];
            var hooks = new MigrationHooks { ThrowFor = id => id == IdOf(failing) };
            using var installed = MigrationHooks.Install(hooks);
            var migrator = new StateMigrator(manager, [T.Schema], new StateMigrationOptions { BatchSize = 3 });

            var ex = await Assert.ThrowsAsync<StateMigrationException>(() => migrator.MigrateAsync());

            Assert.Equal(typeof(T), ex.StateType);
            Assert.Equal(2, ex.FromVersion);
            Assert.Equal(3, ex.ToVersion);
            AssertNamesRecord(ex, failing, ProbeKey);
            Assert.IsType<ProbeStepException>(ex.InnerException);
            Assert.Contains(typeof(T).Name, ex.Message, StringComparison.Ordinal);
            Assert.Contains("from schema version 2 to 3", ex.Message, StringComparison.Ordinal);
            for (var i = 0; i < order.Count; i++)
            {
                var (doc, version, expected) = seeded[order[i]];
                if (i < 6)
                {
                    await AssertRawAsync(driver, order[i], expected, version + 1);
                }
                else
                {
                    await AssertRawAsync(driver, order[i], doc, version);
                }
            }

            // The next run (the step fixed) migrates only what is left, each record once.
            hooks.ThrowFor = null;
            hooks.Steps.Clear();
            var result = Assert.Single(await migrator.MigrateAsync());

            Assert.Equal(10, result.OwnersScanned);
            Assert.Equal(4, result.Upgraded);
            Assert.Equal(6, result.AlreadyCurrent);
            Assert.Equal([.. order.Skip(6).Select(IdOf)], hooks.IdsOf(2));
            foreach (var (owner, (_, version, expected)) in seeded)
            {
                await AssertRawAsync(driver, owner, expected, version + 1);
            }
        }
    }

    private sealed class RefusesNewerRecords : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var scope = T.Schema.Scope;
            var seeded = new Dictionary<StateOwner, (string Doc, long Version)>();
            var order = ProbeOwners(scope, 5);
            foreach (var owner in order)
            {
                var doc = ProbeSteps.V1(IdOf(owner), "old", 1);
                seeded[owner] = (doc, await WriteRawAsync(driver, owner, ProbeKey, Utf8(doc)));
            }

            order = await ListOwnersInOrderAsync(driver, scope);
            var newer = order[Math.Min(1, order.Count - 1)];
            var newerDoc = "{\"$version\":4,\"id\":\"" + IdOf(newer) + "\",\"title\":\"future\",\"visits\":\"many\",\"extra\":{\"new\":true}}";
            seeded[newer] = (newerDoc, await WriteRawAsync(driver, newer, ProbeKey, Utf8(newerDoc)));

            void AssertTooNew(StateSchemaTooNewException ex)
            {
                Assert.Equal(typeof(T), ex.StateType);
                Assert.Equal(4, ex.StoredVersion);
                Assert.Equal(3, ex.CodeVersion);
                AssertNamesRecord(ex, newer, ProbeKey);
                Assert.Contains(typeof(T).Name, ex.Message, StringComparison.Ordinal);
                Assert.Contains("schema version 4", ex.Message, StringComparison.Ordinal);
            }

            AssertTooNew(await Assert.ThrowsAsync<StateSchemaTooNewException>(() => StateAccessors.LoadAsync<T>(manager, newer, CancellationToken.None).AsTask()));
            AssertTooNew(await Assert.ThrowsAsync<StateSchemaTooNewException>(() => manager.GetAsync(newer, ProbeKey, T.Schema.TypeInfo).AsTask()));
            var listed = Assert.Single(await ListTypedAsync(manager, newer, ProbeKey, T.Schema));
            AssertTooNew(Assert.IsType<StateSchemaTooNewException>(listed.Error));

            var migrator = new StateMigrator(manager, [T.Schema], new StateMigrationOptions { BatchSize = 2 });
            AssertTooNew(await Assert.ThrowsAsync<StateSchemaTooNewException>(() => migrator.MigrateAsync()));

            // Its batch ([0 1]) and everything after it are unchanged.
            foreach (var (owner, (doc, version)) in seeded)
            {
                await AssertRawAsync(driver, owner, doc, version);
            }
        }
    }

    private sealed class ReportsFailingSteps : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var owners = ProbeOwners(T.Schema.Scope, 3);
            var target = owners[^1];
            var seeded = new Dictionary<StateOwner, (string Doc, long Version)>();
            foreach (var owner in owners)
            {
                var doc = owner == target ? ProbeSteps.V2(IdOf(owner), "target", 9) : ProbeSteps.V1(IdOf(owner), "t", 1);
                seeded[owner] = (doc, await WriteRawAsync(driver, owner, ProbeKey, Utf8(doc)));
            }

            var hooks = new MigrationHooks { ThrowFor = id => id == IdOf(target) };
            using var installed = MigrationHooks.Install(hooks);
            var migrator = new StateMigrator(manager, [T.Schema]);

            void AssertFailed(StateMigrationException ex, Type inner)
            {
                Assert.Equal(typeof(T), ex.StateType);
                Assert.Equal(2, ex.FromVersion);
                Assert.Equal(3, ex.ToVersion);
                AssertNamesRecord(ex, target, ProbeKey);
                Assert.IsAssignableFrom(inner, ex.InnerException);
                Assert.Contains($"Migrating {typeof(T).Name} from schema version 2 to 3 failed", ex.Message, StringComparison.Ordinal);
                Assert.Contains("unchanged", ex.Message, StringComparison.Ordinal);
            }

            // A step that throws…
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => StateAccessors.LoadAsync<T>(manager, target, CancellationToken.None).AsTask()), typeof(ProbeStepException));
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => manager.GetAsync(target, ProbeKey, T.Schema.TypeInfo).AsTask()), typeof(ProbeStepException));
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => migrator.MigrateAsync()), typeof(ProbeStepException));
            foreach (var (owner, (doc, version)) in seeded)
            {
                await AssertRawAsync(driver, owner, doc, version);
            }

            // …and a step whose result the type cannot read.
            hooks.ThrowFor = null;
            hooks.BreakShapeFor = id => id == IdOf(target);
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => StateAccessors.LoadAsync<T>(manager, target, CancellationToken.None).AsTask()), typeof(JsonException));
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => migrator.MigrateAsync()), typeof(JsonException));
            foreach (var (owner, (doc, version)) in seeded)
            {
                await AssertRawAsync(driver, owner, doc, version);
            }

            // Fixed, the same records migrate.
            hooks.BreakShapeFor = null;
            var result = Assert.Single(await migrator.MigrateAsync());
            Assert.Equal(owners.Count, result.Upgraded);
            await AssertRawAsync(driver, target, ProbeSteps.V3(IdOf(target), "target", 9, "v2>v3"), seeded[target].Version + 1);
        }
    }

    private sealed class RetriesAfterConcurrentWrites : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var application = suite.CreateManagerOver(driver);
            var scope = T.Schema.Scope;
            var seeded = new Dictionary<StateOwner, long>();
            foreach (var (owner, i) in ProbeOwners(scope, 6).Select((o, i) => (o, i)))
            {
                seeded[owner] = await WriteRawAsync(driver, owner, ProbeKey, Utf8(ProbeSteps.V1(IdOf(owner), $"t{i}", i)));
            }

            // Batches of 3: while the first batch is being migrated, the application saves one of its records at the
            // current version and an older build still running writes another at version 1.
            var order = await ListOwnersInOrderAsync(driver, scope);
            var savedByApplication = order[0];
            var writtenByOldBuild = order.Count > 2 ? order[2] : (StateOwner?)null;
            var fired = new ConcurrentDictionary<string, bool>();
            var hooks = new MigrationHooks
            {
                BeforeLastStep = id =>
                {
                    if (id == IdOf(savedByApplication) && fired.TryAdd(id, true))
                    {
                        var value = T.Schema.Deserialize(Utf8(ProbeSteps.V3(id, "saved by the application", 42, "app")));
                        Task.Run(() => StateAccessors.SaveAsync(application, savedByApplication, value, seeded[savedByApplication], CancellationToken.None).AsTask())
                            .GetAwaiter().GetResult();
                    }
                    else if (writtenByOldBuild is { } old && id == IdOf(old) && fired.TryAdd(id, true))
                    {
                        Task.Run(() => WriteRawAsync(driver, old, ProbeKey, Utf8(ProbeSteps.V1(id, "written by an old build", 99)))).GetAwaiter().GetResult();
                    }
                },
            };
            using var installed = MigrationHooks.Install(hooks);
            var migrator = new StateMigrator(manager, [T.Schema], new StateMigrationOptions { BatchSize = 3 });

            var result = Assert.Single(await migrator.MigrateAsync());

            Assert.Equal(order.Count - 1, result.Upgraded);
            Assert.Equal(1, result.AlreadyCurrent);
            await AssertRawAsync(driver, savedByApplication, ProbeSteps.V3(IdOf(savedByApplication), "saved by the application", 42, "app"), seeded[savedByApplication] + 1);
            if (writtenByOldBuild is { } oldBuild)
            {
                await AssertRawAsync(driver, oldBuild, ProbeSteps.V3(IdOf(oldBuild), "written by an old build", 99, "v1>v2", "v2>v3"), seeded[oldBuild] + 2);

                // The first batch was read and migrated again; the second one once.
                Assert.Equal(2, hooks.CountOf(IdOf(order[1]), 2));
                Assert.Equal(1, hooks.CountOf(IdOf(order[3]), 2));
            }

            for (var i = 0; i < order.Count; i++)
            {
                if (order[i] != savedByApplication && order[i] != writtenByOldBuild)
                {
                    await AssertRawAsync(driver, order[i], ProbeSteps.V3(IdOf(order[i]), $"t{OrdinalOf(order[i])}", OrdinalOf(order[i]), "v1>v2", "v2>v3"), seeded[order[i]] + 1);
                }
            }
        }
    }

    private sealed class ReportsCorruptRecords : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            string[] corrupt =
            [
                "{not json",
                "",
                "[1,2]",
                "\"v1\"",
                "{\"$version\":\"2\",\"id\":\"x\"}",
                "{\"$version\":2,\"id\":\"x\",\"title\":",
                "{\"id\":\"x\",\"name\":\"t\",\"count\":1",
                "{\"$version\":3,\"id\":\"x\",\"title\":\"t\"",
                "{\"$version\":3,\"id\":\"x\",\"title\":\"t\",\"visits\":1,\"trail\":[]}trailing",
            ];

            foreach (var document in corrupt)
            {
                var manager = await suite.CreateManagerAsync();
                var driver = manager.Driver;
                var owners = ProbeOwners(T.Schema.Scope, 2);
                var broken = owners[^1];
                var seeded = new Dictionary<StateOwner, (string Doc, long Version)>();
                foreach (var owner in owners)
                {
                    var doc = owner == broken ? document : ProbeSteps.V1(IdOf(owner), "fine", 1);
                    seeded[owner] = (doc, await WriteRawAsync(driver, owner, ProbeKey, Utf8(doc)));
                }

                var migrator = new StateMigrator(manager, [T.Schema]);
                var ex = await Assert.ThrowsAsync<CorruptStateException>(() => migrator.MigrateAsync());

                AssertNamesRecord(ex, broken, ProbeKey);
                Assert.Equal(seeded[broken].Version, ex.Version);
                Assert.Equal(typeof(T), ex.TargetType);
                Assert.IsAssignableFrom<JsonException>(ex.InnerException);
                foreach (var (owner, (doc, version)) in seeded)
                {
                    await AssertRawAsync(driver, owner, doc, version);
                }

                // Reading reports the same record as corrupt.
                var read = await Assert.ThrowsAsync<CorruptStateException>(() => StateAccessors.LoadAsync<T>(manager, broken, CancellationToken.None).AsTask());
                AssertNamesRecord(read, broken, ProbeKey);
            }
        }
    }

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

    /// <summary>A migration test written once for the three probe types.</summary>
    private interface IProbeTest
    {
        Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>;
    }

    private Task ForProbe(string scope, IProbeTest test) => scope switch
    {
        "agent" => test.RunAsync<AgentProbe>(this),
        "guild" => test.RunAsync<GuildProbe>(this),
        "global" => test.RunAsync<GlobalProbe>(this),
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, null),
    };

    /// <summary>
    /// <paramref name="count"/> owners of a scope (the global scope has one): agents alternate between two guilds,
    /// and are named by their ordinal so that tests can tell which is which.
    /// </summary>
    private static List<StateOwner> ProbeOwners(Scope scope, int count) => scope switch
    {
        Scope.Agent => [.. Enumerable.Range(0, count).Select(i => StateOwner.Agent(i % 2 == 0 ? G1 : G2, $"o-{i:D2}"))],
        Scope.Guild => [.. Enumerable.Range(0, count).Select(i => StateOwner.Guild($"o-{i:D2}"))],
        _ => [StateOwner.Global],
    };

    /// <summary>The id a probe record of the owner carries: its agent id, guild id, or "global".</summary>
    private static string IdOf(StateOwner owner) => owner.AgentId ?? owner.GuildId ?? "global";

    private static int OrdinalOf(StateOwner owner) => IdOf(owner) is var id && id.StartsWith("o-", StringComparison.Ordinal) ? int.Parse(id[2..], System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The owners of a scope in the order the driver lists them (the order the migrator batches them in).</summary>
    private static async Task<List<StateOwner>> ListOwnersInOrderAsync(IStateDriver driver, Scope scope)
    {
        var owners = new List<StateOwner>();
        await foreach (var owner in driver.ListOwnersAsync(scope, CancellationToken.None))
        {
            owners.Add(owner);
        }

        return owners;
    }

    private static async Task<List<StateEntry<T>>> ListTypedAsync<T>(IStateOperations state, StateOwner owner, string prefix, StateSchema<T> schema)
        where T : IStateType<T>
    {
        var entries = new List<StateEntry<T>>();
        await foreach (var entry in state.ListAsync(owner, prefix, schema.TypeInfo))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static Task AssertRawAsync(IStateDriver driver, StateOwner owner, string document, long version) =>
        AssertRawAsync(driver, owner, ProbeKey, document, version);

    /// <summary>Asserts the stored document (equal by the driver contract: drivers may re-render JSON) and version of a record.</summary>
    private static async Task AssertRawAsync(IStateDriver driver, StateOwner owner, string key, string document, long version)
    {
        var record = await driver.ReadAsync(owner, key, CancellationToken.None);
        Assert.True(record.HasValue, $"{owner} key '{key}' should exist");
        StoredDocuments.AssertSame(Encoding.UTF8.GetBytes(document), record.Value.Value);
        Assert.Equal(version, record.Value.Version);
    }
}
