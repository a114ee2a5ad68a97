using Orleans.Storage;
using TypedState.Orleans.Tests.Grains;
using TypedState.Orleans.Tests.Stores;

namespace TypedState.Orleans.Tests;

/// <summary>
/// What Orleans expects of every grain storage provider (the expectations of its persistence test kit, written anew
/// here), on the TypedState grain storage: ETags change on every write, a stale or duplicate write and a stale clear
/// are <see cref="InconsistentStateException"/> and change nothing, a clear leaves a fresh state and no ETag, and
/// state names and grains are independent. Two storages on two managers play two silos.
/// </summary>
public abstract class GrainStorageContractTests<TStore>(StoreFixture<TStore> fixture)
    where TStore : TestStore, new()
{
    private const string StateName = "state";

    private readonly TypedStateGrainStorage _storage = NewStorage(fixture.Store);

    private static TypedStateGrainStorage NewStorage(TestStore store) =>
        new("typedstate", new TypedStateGrainStorageOptions(), store.NewManager());

    private static GrainId NewGrain() => GrainId.Create("my-grain-type", $"grain-{Guid.NewGuid():N}");

    private static GrainState<TestState> Fresh(string? etag = null) => new() { State = new TestState(), ETag = etag };

    [Fact]
    public async Task A_write_is_read_back_with_its_ETag_and_text_as_written()
    {
        var grain = NewGrain();
        var written = new GrainState<TestState> { State = new TestState { A = "Привет, мир 🌍", B = 2, C = 3 } };
        await _storage.WriteStateAsync(StateName, grain, written);

        var read = Fresh();
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(written.State, read.State);
    }

    [Fact]
    public async Task Reading_a_grain_with_no_record_gives_a_fresh_state_and_no_ETag()
    {
        var read = new GrainState<TestState> { State = new TestState { A = "stale" }, ETag = "7", RecordExists = true };
        await _storage.ReadStateAsync(StateName, NewGrain(), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(new TestState(), read.State);
    }

    [Fact]
    public async Task Every_write_changes_the_ETag()
    {
        var grain = NewGrain();
        var state = Fresh();
        var etags = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            state.State!.B = i;
            await _storage.WriteStateAsync(StateName, grain, state);
            etags.Add(state.ETag);
        }

        Assert.All(etags, Assert.NotNull);
        Assert.Equal(3, etags.Distinct().Count());
    }

    [Fact]
    public async Task A_second_activation_writing_as_if_new_is_refused_from_another_silo()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync(StateName, grain, new GrainState<TestState> { State = new TestState { A = "first" } });

        // Another silo's storage, on its own manager: its activation believes the grain has no record yet.
        var otherSilo = NewStorage(fixture.Store);
        var duplicate = new GrainState<TestState> { State = new TestState { A = "second" } };
        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => otherSilo.WriteStateAsync(StateName, grain, duplicate));
        Assert.Equal("1", refused.StoredEtag);
        Assert.Null(refused.CurrentEtag);
        Assert.IsType<StateConflictException>(refused.InnerException);

        var read = Fresh();
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("first", read.State!.A);
    }

    [Fact]
    public async Task A_write_with_a_stale_ETag_is_refused_and_the_latest_state_stays()
    {
        var grain = NewGrain();
        var state = new GrainState<TestState> { State = new TestState { A = "initial", B = 1 } };
        await _storage.WriteStateAsync(StateName, grain, state);
        var staleETag = state.ETag;
        state.State = new TestState { A = "latest", B = 3 };
        await _storage.WriteStateAsync(StateName, grain, state);

        var stale = new GrainState<TestState> { State = new TestState { A = "stale" }, ETag = staleETag, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grain, stale));

        var read = Fresh();
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(state.State, read.State);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task An_ETag_that_is_no_record_version_is_refused()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync(StateName, grain, Fresh());

        var foreign = new GrainState<TestState> { State = new TestState(), ETag = "W/\"0x8D9\"" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grain, foreign));
    }

    [Fact]
    public async Task Clear_deletes_the_record_and_leaves_a_fresh_state_with_no_ETag()
    {
        var grain = NewGrain();
        var state = new GrainState<TestState> { State = new TestState { A = "Original", B = 42, C = 100 } };
        await _storage.WriteStateAsync(StateName, grain, state);
        var written = state.ETag;

        await _storage.ClearStateAsync(StateName, grain, state);
        Assert.NotEqual(written, state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(new TestState(), state.State);

        var address = _storage.Locate<TestState>(StateName, grain);
        Assert.False((await fixture.Store.NewManager().GetJsonAsync(address.Owner, address.Key)).Exists);

        var read = Fresh();
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.False(read.RecordExists);
        Assert.NotNull(read.State);

        // Written again from the cleared state, then read back; a second clear is fine too.
        state.State = new TestState { A = "Second", B = 2 };
        await _storage.WriteStateAsync(StateName, grain, state);
        Assert.True(state.RecordExists);
        Assert.NotEqual(written, state.ETag);
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal("Second", read.State!.A);
        await _storage.ClearStateAsync(StateName, grain, state);
        await _storage.ClearStateAsync(StateName, grain, state);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task Clearing_a_grain_that_never_wrote_is_fine()
    {
        var state = Fresh();
        await _storage.ClearStateAsync(StateName, NewGrain(), state);
        Assert.False(state.RecordExists);
        Assert.Equal(new TestState(), state.State);
    }

    [Fact]
    public async Task A_clear_with_a_stale_ETag_is_refused_and_the_record_stays()
    {
        var grain = NewGrain();
        var state = new GrainState<TestState> { State = new TestState { A = "v1" } };
        await _storage.WriteStateAsync(StateName, grain, state);
        var stale = state.ETag;
        state.State.A = "v2";
        await _storage.WriteStateAsync(StateName, grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(StateName, grain, new GrainState<TestState> { State = new TestState(), ETag = stale }));

        var read = Fresh();
        await _storage.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("v2", read.State!.A);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task State_names_and_grains_keep_independent_records()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync("first", grain, new GrainState<TestState> { State = new TestState { A = "one" } });
        await _storage.WriteStateAsync("second", grain, new GrainState<TestState> { State = new TestState { A = "two" } });
        await _storage.WriteStateAsync("first", NewGrain(), new GrainState<TestState> { State = new TestState { A = "other grain" } });

        var first = Fresh();
        var second = Fresh();
        await _storage.ReadStateAsync("first", grain, first);
        await _storage.ReadStateAsync("second", grain, second);
        Assert.Equal("one", first.State!.A);
        Assert.Equal("two", second.State!.A);
    }

    [Fact]
    public async Task Grains_written_in_parallel_keep_their_own_ETags_and_states()
    {
        var grains = Enumerable.Range(0, 16).Select(i => (Id: NewGrain(), State: new GrainState<TestState> { State = new TestState { C = i } })).ToList();
        await Parallel.ForEachAsync(grains, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (grain, _) =>
        {
            for (var k = 0; k < 5; k++)
            {
                var before = grain.State.ETag;
                grain.State.State!.B = k;
                await _storage.WriteStateAsync(StateName, grain.Id, grain.State);
                Assert.NotEqual(before, grain.State.ETag);

                var read = Fresh();
                await _storage.ReadStateAsync(StateName, grain.Id, read);
                Assert.Equal(grain.State.State, read.State);
                Assert.Equal(grain.State.ETag, read.ETag);
            }
        });
    }

    [Fact]
    public async Task Grains_whose_ids_map_to_no_owner_are_refused_with_the_grain_named()
    {
        var storage = new TypedStateGrainStorage("typedstate", new TypedStateGrainStorageOptions().MapAgents("agent").MapGuilds("guild"), fixture.Store.NewManager());

        // An agent grain's key names its guild; agent state cannot live in a guild grain.
        var noGuild = await Assert.ThrowsAsync<GrainStateMappingException>(() => storage.ReadStateAsync(StateName, GrainId.Create("agent", "lonely"), Fresh()));
        Assert.Equal("agent/lonely", noGuild.GrainId);
        var wrongScope = await Assert.ThrowsAsync<GrainStateMappingException>(() => storage.WriteStateAsync("visits", GrainId.Create("guild", "g1"), new GrainState<VisitLog> { State = new VisitLog() }));
        Assert.Equal(StateOwner.Guild("g1"), wrongScope.Owner);
        Assert.Equal("VisitLog", wrongScope.Key);
    }
}

public sealed class SqliteGrainStorageContractTests(StoreFixture<SqliteTestStore> fixture)
    : GrainStorageContractTests<SqliteTestStore>(fixture), IClassFixture<StoreFixture<SqliteTestStore>>;

public sealed class PostgresGrainStorageContractTests(StoreFixture<PostgresTestStore> fixture)
    : GrainStorageContractTests<PostgresTestStore>(fixture), IClassFixture<StoreFixture<PostgresTestStore>>;
