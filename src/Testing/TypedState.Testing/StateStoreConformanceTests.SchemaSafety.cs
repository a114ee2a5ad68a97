using TypedState.CompilerServices;

namespace TypedState.Testing;

/// <summary>
/// What the store guarantees a generated state type beyond reading and migrating it: a save that names no expected
/// version never downgrades a record a newer build wrote; documents the migration path cannot parse are corrupt
/// records, not stray exceptions; a step result the type cannot read names every step it came through.
/// </summary>
public abstract partial class StateStoreConformanceTests
{
    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_save_without_an_expected_version_refuses_a_record_written_by_a_newer_build_and_leaves_it_unchanged(string scope) =>
        ForProbe(scope, new BlindSavesRefuseNewerRecords());

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task A_save_without_an_expected_version_replaces_older_current_corrupt_null_and_absent_records(string scope) =>
        ForProbe(scope, new BlindSavesReplaceReadableHistory());

    [Theory]
    [MemberData(nameof(AllScopes))]
    public Task An_older_document_repeating_a_property_name_is_a_type_mismatch_on_read_and_for_the_migrator(string scope) =>
        ForProbe(scope, new RepeatedNamesDoNotFit());

    [Fact]
    public async Task A_step_result_the_type_cannot_read_is_reported_for_all_the_steps_the_record_went_through()
    {
        var manager = await CreateManagerAsync();
        var owner = StateOwner.Agent(G1, "o-shape");
        var doc = ProbeSteps.V1(IdOf(owner), "t", 1);
        var version = await WriteRawAsync(manager.Driver, owner, ProbeKey, Utf8(doc));
        using var installed = MigrationHooks.Install(new MigrationHooks { BreakShapeFor = id => id == IdOf(owner) });

        var ex = await Assert.ThrowsAsync<StateMigrationException>(() => StateAccessors.LoadAsync<AgentProbe>(manager, owner, CancellationToken.None).AsTask());

        Assert.Equal(1, ex.FromVersion);
        Assert.Equal(3, ex.ToVersion);
        AssertNamesRecord(ex, owner, ProbeKey);
        Assert.Contains("from schema version 1 to 3", ex.Message, StringComparison.Ordinal);
        await AssertRawAsync(manager.Driver, owner, doc, version);
    }

    private sealed class BlindSavesRefuseNewerRecords : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var owner = ProbeOwners(T.Schema.Scope, 1)[0];
            var newerDoc = "{\"$version\":4,\"id\":\"" + IdOf(owner) + "\",\"title\":\"future\",\"extra\":{\"new\":true}}";
            var version = await WriteRawAsync(manager.Driver, owner, ProbeKey, Utf8(newerDoc));

            void AssertTooNew(StateSchemaTooNewException ex)
            {
                Assert.Equal(typeof(T), ex.StateType);
                Assert.Equal(4, ex.StoredVersion);
                Assert.Equal(3, ex.CodeVersion);
                AssertNamesRecord(ex, owner, ProbeKey);
            }

            // The typed accessor, the store API with the schema's serializer, and a transaction all refuse.
            AssertTooNew(await Assert.ThrowsAsync<StateSchemaTooNewException>(() => StateAccessors.SaveAsync(manager, owner, T.CreateDefault(), null, CancellationToken.None).AsTask()));
            AssertTooNew(await Assert.ThrowsAsync<StateSchemaTooNewException>(() => manager.SetAsync(owner, ProbeKey, T.CreateDefault(), T.Schema.TypeInfo).AsTask()));
            await using (var tx = await manager.BeginTransactionAsync())
            {
                AssertTooNew(await Assert.ThrowsAsync<StateSchemaTooNewException>(() => tx.SetAsync(owner, ProbeKey, T.CreateDefault(), T.Schema.TypeInfo).AsTask()));
                await tx.CommitAsync();
            }

            await AssertRawAsync(manager.Driver, owner, newerDoc, version);

            // Naming the version is a deliberate overwrite, and is allowed.
            Assert.Equal(version + 1, await manager.SetAsync(owner, ProbeKey, T.CreateDefault(), T.Schema.TypeInfo, version));
        }
    }

    private sealed class BlindSavesReplaceReadableHistory : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var owners = ProbeOwners(T.Schema.Scope, 5);
            var global = T.Schema.Scope == Scope.Global;
            string?[] documents = global
                ? ["{\"$version\":2,\"id\":\"global\",\"title\":\"t\",\"count\":1}"]
                : [ProbeSteps.V1("a", "t", 1), "{\"$version\":3,\"id\":\"b\"}", "{\"id\":", "null", null];
            for (var i = 0; i < documents.Length; i++)
            {
                var owner = owners[i];
                var before = documents[i] is { } doc ? await WriteRawAsync(manager.Driver, owner, ProbeKey, Utf8(doc)) : 0;

                // Alternately through the accessor and inside a transaction.
                if (i % 2 == 0)
                {
                    Assert.Equal(before + 1, await StateAccessors.SaveAsync(manager, owner, T.CreateDefault(), null, CancellationToken.None));
                }
                else
                {
                    await using var tx = await manager.BeginTransactionAsync();
                    await tx.SetAsync(owner, ProbeKey, T.CreateDefault(), T.Schema.TypeInfo);
                    await tx.CommitAsync();
                }

                var stored = await manager.Driver.ReadAsync(owner, ProbeKey, CancellationToken.None);
                Assert.Equal(before + 1, stored!.Value.Version);
                Assert.Equal(3, StateSchema.ReadVersion(stored.Value.Value.Span));
            }
        }
    }

    /// <summary>Well-formed JSON (drivers keep a repeated name), but not a document the state type can read.</summary>
    private sealed class RepeatedNamesDoNotFit : IProbeTest
    {
        public async Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>
        {
            var manager = await suite.CreateManagerAsync();
            var owner = ProbeOwners(T.Schema.Scope, 1)[0];
            var doc = "{\"$version\":2,\"id\":\"" + IdOf(owner) + "\",\"title\":\"a\",\"count\":1,\"count\":2,\"trail\":[]}";
            var version = await WriteRawAsync(manager.Driver, owner, ProbeKey, Utf8(doc));

            void AssertMismatch(StateTypeMismatchException ex)
            {
                AssertNamesRecord(ex, owner, ProbeKey);
                Assert.Equal(typeof(T), ex.TargetType);
                Assert.Contains("repeats a property name", ex.Message + ex.InnerException?.Message, StringComparison.Ordinal);
            }

            AssertMismatch(await Assert.ThrowsAsync<StateTypeMismatchException>(() => StateAccessors.LoadAsync<T>(manager, owner, CancellationToken.None).AsTask()));
            AssertMismatch(await Assert.ThrowsAsync<StateTypeMismatchException>(() => new StateMigrator(manager, [T.Schema]).MigrateAsync()));
            await AssertRawAsync(manager.Driver, owner, doc, version);
        }
    }
}
