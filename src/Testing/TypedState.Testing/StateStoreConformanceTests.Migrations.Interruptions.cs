using System.Collections.Concurrent;
using TypedState.CompilerServices;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Theory]
    [InlineData("agent")]
    [InlineData("guild")]
    public Task An_interrupted_migration_keeps_the_batches_written_and_the_next_run_migrates_the_rest_once(string scope) =>
        ForProbe(scope, new ResumesAfterFailure());

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

            // Batches of 3 in listing order: [0 1 2] [3 4 5] [6 7 8] [9] (where a batch holds one guild, agents of G1
            // [0 1 2] [3 4] and of G2 [5 6 7] [8 9], guilds one each); the step fails on the 8th record.
            var order = await ListOwnersInOrderAsync(driver, scope);
            Assert.Equal([.. seeded.Keys], order.ToHashSet());
            var failing = order[7];
            var batches = suite.MigrationBatches(order, 3);
            var upgradedBefore = batches.Count(b => b < batches[7]);
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
                if (i < upgradedBefore)
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
            Assert.Equal(10 - upgradedBefore, result.Upgraded);
            Assert.Equal(upgradedBefore, result.AlreadyCurrent);
            Assert.Equal([.. order.Skip(upgradedBefore).Select(IdOf)], hooks.IdsOf(2));
            foreach (var (owner, (_, version, expected)) in seeded)
            {
                await AssertRawAsync(driver, owner, expected, version + 1);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_write_during_migration_makes_the_batch_retry_and_is_not_lost(string scope) =>
        ForProbe(scope, new RetriesAfterConcurrentWrites());

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
                var batches = suite.MigrationBatches(order, 3);
                Assert.Equal(batches[1] == batches[0] ? 2 : 1, hooks.CountOf(IdOf(order[1]), 2));
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
}
