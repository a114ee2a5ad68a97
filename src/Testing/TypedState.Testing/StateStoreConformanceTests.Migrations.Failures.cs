using System.Text.Json;
using TypedState.CompilerServices;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_record_newer_than_the_code_is_reported_on_read_and_by_the_migrator_and_left_unchanged(string scope) =>
        ForProbe(scope, new RefusesNewerRecords());

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

            // Its batch ([0 1], or [1] where a batch holds one guild) and everything after it are unchanged.
            await suite.AssertStoppedAtAsync(driver, 2, newer, seeded, o => ProbeSteps.V3(IdOf(o), "old", 1, "v1>v2", "v2>v3"));
        }
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_failing_migration_step_is_reported_on_read_and_by_the_migrator_and_leaves_the_record_unchanged(string scope) =>
        ForProbe(scope, new ReportsFailingSteps());

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

            // A step that throws… (the batches before the target's are upgraded: there are some where a batch holds one guild)
            string Upgraded(StateOwner owner) => ProbeSteps.V3(IdOf(owner), "t", 1, "v1>v2", "v2>v3");
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => StateAccessors.LoadAsync<T>(manager, target, CancellationToken.None).AsTask()), typeof(ProbeStepException));
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => manager.GetAsync(target, ProbeKey, T.Schema.TypeInfo).AsTask()), typeof(ProbeStepException));
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => migrator.MigrateAsync()), typeof(ProbeStepException));
            var upgradedBefore = await suite.AssertStoppedAtAsync(driver, new StateMigrationOptions().BatchSize, target, seeded, Upgraded);

            // …and a step whose result the type cannot read.
            hooks.ThrowFor = null;
            hooks.BreakShapeFor = id => id == IdOf(target);
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => StateAccessors.LoadAsync<T>(manager, target, CancellationToken.None).AsTask()), typeof(JsonException));
            AssertFailed(await Assert.ThrowsAsync<StateMigrationException>(() => migrator.MigrateAsync()), typeof(JsonException));
            Assert.Equal(upgradedBefore, await suite.AssertStoppedAtAsync(driver, new StateMigrationOptions().BatchSize, target, seeded, Upgraded));

            // Fixed, the same records migrate.
            hooks.BreakShapeFor = null;
            var result = Assert.Single(await migrator.MigrateAsync());
            Assert.Equal(owners.Count - upgradedBefore, result.Upgraded);
            await AssertRawAsync(driver, target, ProbeSteps.V3(IdOf(target), "target", 9, "v2>v3"), seeded[target].Version + 1);
        }
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task Unreadable_records_stop_the_migrator_with_a_typed_error_and_stay_unchanged(string scope) =>
        ForProbe(scope, new ReportsUnreadableRecords());

    private sealed class ReportsUnreadableRecords : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            // Bytes that are not JSON are corrupt; JSON that does not fit the state type is a type mismatch.
            (string Document, Type Error)[] unreadable =
            [
                ("{not json", typeof(CorruptStateException)),
                ("", typeof(CorruptStateException)),
                ("[1,2]", typeof(StateTypeMismatchException)),
                ("\"v1\"", typeof(StateTypeMismatchException)),
                ("{\"$version\":\"2\",\"id\":\"x\"}", typeof(StateTypeMismatchException)),
                ("{\"$version\":2,\"id\":\"x\",\"title\":", typeof(CorruptStateException)),
                ("{\"id\":\"x\",\"name\":\"t\",\"count\":1", typeof(CorruptStateException)),
                ("{\"$version\":3,\"id\":\"x\",\"title\":\"t\"", typeof(CorruptStateException)),
                ("{\"$version\":3,\"id\":\"x\",\"title\":\"t\",\"visits\":1,\"trail\":[]}trailing", typeof(CorruptStateException)),
            ];

            foreach (var (document, error) in unreadable)
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
                var ex = await Assert.ThrowsAnyAsync<StateException>(() => migrator.MigrateAsync());

                Assert.True(ex.GetType() == error, $"{document}: {ex}");
                AssertNamesRecord(ex, broken, ProbeKey);
                var (version, targetType) = ex switch
                {
                    CorruptStateException corrupt => (corrupt.Version, corrupt.TargetType),
                    StateTypeMismatchException mismatch => (mismatch.Version, mismatch.TargetType),
                    _ => (0, typeof(void)),
                };
                Assert.Equal(seeded[broken].Version, version);
                Assert.Equal(typeof(T), targetType);
                Assert.IsAssignableFrom<JsonException>(ex.InnerException);
                await suite.AssertStoppedAtAsync(driver, new StateMigrationOptions().BatchSize, broken, seeded, o => ProbeSteps.V3(IdOf(o), "fine", 1, "v1>v2", "v2>v3"));

                // Reading reports the same record the same way.
                var read = await Assert.ThrowsAnyAsync<StateException>(() => StateAccessors.LoadAsync<T>(manager, broken, CancellationToken.None).AsTask());
                Assert.Equal(error, read.GetType());
                AssertNamesRecord(read, broken, ProbeKey);
            }
        }
    }
}
