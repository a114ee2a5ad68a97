using System.Text;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task With_OnFailure_Quarantine_the_migrator_quarantines_failing_records_and_upgrades_the_rest(string scope) =>
        ForProbe(scope, new QuarantinesFailingRecords());

    private sealed class QuarantinesFailingRecords : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var owners = ProbeOwners(T.Schema.Scope, 5);

            // One record whose step throws; with more owners than one, one that is not JSON too (in another batch).
            var throwing = owners[^1];
            var corrupt = owners.Count > 1 ? owners[1] : (StateOwner?)null;
            var seeded = new Dictionary<StateOwner, (string Doc, long Version)>();
            foreach (var owner in owners)
            {
                var doc = owner == throwing ? ProbeSteps.V2(IdOf(owner), "target", 9) : owner == corrupt ? "{not json" : ProbeSteps.V1(IdOf(owner), "t", 1);
                seeded[owner] = (doc, await WriteRawAsync(driver, owner, ProbeKey, Utf8(doc)));
            }

            using var installed = MigrationHooks.Install(new MigrationHooks { ThrowFor = id => id == IdOf(throwing) });
            var migrator = new StateMigrator(manager, [T.Schema], new StateMigrationOptions { BatchSize = 2, OnFailure = StateMigrationFailureAction.Quarantine });
            long failing = corrupt is null ? 1 : 2;

            var result = Assert.Single(await migrator.MigrateAsync());
            Assert.Equal((owners.Count - failing, 0L, failing), (result.Upgraded, result.AlreadyCurrent, result.Quarantined));

            // The others are upgraded; the failing ones are gone from where they were and kept whole, with the reason.
            foreach (var owner in owners.Where(o => o != throwing && o != corrupt))
            {
                await AssertRawAsync(driver, owner, ProbeSteps.V3(IdOf(owner), "t", 1, "v1>v2", "v2>v3"), seeded[owner].Version + 1);
            }

            var kept = new List<QuarantinedRecord>();
            await foreach (var record in new StateQuarantine(manager).ListAsync())
            {
                kept.Add(record);
            }

            Assert.Equal(failing, kept.Count);
            var stepFailure = Assert.Single(kept, q => q.Owner == throwing);
            Assert.Equal((ProbeKey, seeded[throwing].Version), (stepFailure.Key, stepFailure.Version));
            StoredDocuments.AssertSame(Utf8(seeded[throwing].Doc), stepFailure.Value);
            Assert.Contains($"Migrating {typeof(T).Name} from schema version 2 to 3 failed", stepFailure.Reason, StringComparison.Ordinal);
            Assert.Null(await manager.GetRecordAsync(throwing, ProbeKey));
            if (corrupt is { } unreadable)
            {
                var notJson = Assert.Single(kept, q => q.Owner == unreadable);
                Assert.Equal("{not json", Encoding.UTF8.GetString(notJson.Value.Span));
                Assert.Contains("not valid JSON", notJson.Reason, StringComparison.Ordinal);
                Assert.Null(await manager.GetRecordAsync(unreadable, ProbeKey));
            }

            // The application cannot see them, and a second run has nothing left to do.
            await foreach (var record in manager.ListRecordsAsync(StateOwner.Global, ""))
            {
                Assert.False(record.Key.StartsWith('\u0001'), record.Key);
            }

            var again = Assert.Single(await migrator.MigrateAsync());
            Assert.Equal((0L, owners.Count - failing, 0L), (again.Upgraded, again.AlreadyCurrent, again.Quarantined));
        }
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_record_written_while_the_migrator_quarantines_it_is_quarantined_once_at_its_new_version(string scope) =>
        ForProbe(scope, new QuarantinesTheLatestVersion());

    private sealed class QuarantinesTheLatestVersion : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var driver = manager.Driver;
            var target = ProbeOwners(T.Schema.Scope, 1)[0];
            var first = await WriteRawAsync(driver, target, ProbeKey, Utf8(ProbeSteps.V1(IdOf(target), "first", 1)));
            var latest = ProbeSteps.V1(IdOf(target), "written meanwhile", 2);
            var written = 0;

            // The step fails for the target, after a writer changed it once: the batch that removes the version read
            // conflicts (where a commit holds one root, after its copy went into the quarantine), and is read again.
            using var installed = MigrationHooks.Install(new MigrationHooks
            {
                ThrowFor = id => id == IdOf(target),
                BeforeLastStep = id =>
                {
                    if (id == IdOf(target) && Interlocked.Exchange(ref written, 1) == 0)
                    {
                        Task.Run(() => WriteRawAsync(driver, target, ProbeKey, Utf8(latest))).GetAwaiter().GetResult();
                    }
                },
            });
            var migrator = new StateMigrator(manager, [T.Schema], new StateMigrationOptions { OnFailure = StateMigrationFailureAction.Quarantine });

            var result = Assert.Single(await migrator.MigrateAsync());

            Assert.Equal(1, result.Quarantined);
            Assert.Null(await manager.GetRecordAsync(target, ProbeKey));
            var only = Assert.Single(await ToListAsync(new StateQuarantine(manager).ListAsync()));
            Assert.Equal((target, first + 1), (only.Owner, only.Version));
            StoredDocuments.AssertSame(Utf8(latest), only.Value);
        }
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task With_OnFailure_Quarantine_a_record_newer_than_the_code_still_stops_the_migrator(string scope) =>
        ForProbe(scope, new StopsOnNewerRecords());

    private sealed class StopsOnNewerRecords : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var owner = ProbeOwners(T.Schema.Scope, 1)[0];
            var doc = "{\"$version\":4,\"id\":\"" + IdOf(owner) + "\",\"title\":\"future\"}";
            var version = await WriteRawAsync(manager.Driver, owner, ProbeKey, Utf8(doc));
            var migrator = new StateMigrator(manager, [T.Schema], new StateMigrationOptions { OnFailure = StateMigrationFailureAction.Quarantine });

            AssertNamesRecord(await Assert.ThrowsAsync<StateSchemaTooNewException>(() => migrator.MigrateAsync()), owner, ProbeKey);
            await AssertRawAsync(manager.Driver, owner, doc, version);
            await foreach (var record in new StateQuarantine(manager).ListAsync())
            {
                Assert.Fail($"Nothing should be quarantined, found {record.Owner} key '{record.Key}'.");
            }
        }
    }
}
