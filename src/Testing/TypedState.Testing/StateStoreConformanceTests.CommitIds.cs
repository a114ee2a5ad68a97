using TypedState.Storage;

namespace TypedState.Testing;

// A batch repeated under the commit id of one already applied (the core repeats a commit whose answer was lost)
// must return the first result and apply nothing, so one logical change is never applied twice.
public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_batch_repeated_under_its_commit_id_returns_the_first_result_and_applies_nothing()
    {
        var state = await CreateManagerAsync();
        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [SetEntry(Guild1, "a", "\"first\"", null), SetEntry(Agent1, "n", "\"new\"", 0)];

        var first = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);
        var repeat = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);

        Assert.True(first.Succeeded);
        Assert.True(repeat.Succeeded);
        Assert.Equal(first.Versions, repeat.Versions);
        await AssertRecordAsync(state, Guild1, "a", "first", 1);
        await AssertRecordAsync(state, Agent1, "n", "new", 1);
    }

    [Fact]
    public async Task A_remembered_commit_id_applies_nothing_even_after_its_records_changed()
    {
        var state = await CreateManagerAsync();
        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [SetEntry(Guild1, "counter", "1", null)];
        var first = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);
        await state.SetAsync(Guild1, "counter", 7);

        var repeat = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);

        Assert.Equal(first.Versions, repeat.Versions);
        await AssertRecordAsync(state, Guild1, "counter", 7, 2);
    }

    [Fact]
    public async Task Batches_without_a_commit_id_apply_every_time()
    {
        var state = await CreateManagerAsync();
        IReadOnlyList<StateWrite> batch = [SetEntry(StateOwner.Global, "k", "\"v\"", null)];

        var first = await state.Driver.CommitAsync(batch, [], CommitId.None, CancellationToken.None);
        var second = await state.Driver.CommitAsync(batch, [], CommitId.None, CancellationToken.None);

        Assert.Equal([1L], first.Versions);
        Assert.Equal([2L], second.Versions);
    }

    [Fact]
    public async Task A_refused_batch_is_not_remembered_so_its_commit_id_applies_once_the_condition_holds()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", "taken");
        var id = CommitId.New();
        IReadOnlyList<StateWrite> batch = [SetEntry(Agent1, "k", "\"mine\"", 0)];

        var refused = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);
        Assert.Equal(CommitFailure.Version, refused.Failure);
        await state.DeleteAsync(Agent1, "k");
        var applied = await state.Driver.CommitAsync(batch, [], id, CancellationToken.None);

        Assert.True(applied.Succeeded);
        await AssertRecordAsync(state, Agent1, "k", "mine", 3);
    }

    [Fact]
    public async Task Commit_ids_are_remembered_per_batch_not_per_key()
    {
        var state = await CreateManagerAsync();
        IReadOnlyList<StateWrite> batch = [SetEntry(Guild1, "k", "\"v\"", null)];

        await state.Driver.CommitAsync(batch, [], CommitId.New(), CancellationToken.None);
        var other = await state.Driver.CommitAsync(batch, [], CommitId.New(), CancellationToken.None);

        Assert.Equal([2L], other.Versions);
        await AssertRecordAsync(state, Guild1, "k", "v", 2);
    }

    private static StateWrite SetEntry(StateOwner owner, string key, string json, long? expectedVersion) =>
        new(owner, key, StateWriteKind.Set, System.Text.Encoding.UTF8.GetBytes(json), expectedVersion);
}
