namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task Set_with_the_current_version_succeeds_and_returns_the_next_version(string scope)
    {
        var state = await CreateManagerAsync();
        var owner = OwnerFor(scope);
        await state.SetAsync(owner, "k", "one");

        var version = await state.SetAsync(owner, "k", "two", expectedVersion: 1);
        var third = await state.SetAsync(owner, "k", "three", expectedVersion: version);

        Assert.Equal(2, version);
        Assert.Equal(3, third);
        await AssertRecordAsync(state, owner, "k", "three", 3);
    }

    [Fact]
    public async Task Set_with_a_stale_version_throws_StateConflictException_describing_the_conflict()
    {
        var state = await CreateManagerAsync();
        var owner = StateOwner.Agent("guild-v", "agent-v");
        await state.SetAsync(owner, "counter", 1);
        await state.SetAsync(owner, "counter", 2);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(owner, "counter", 3, expectedVersion: 1).AsTask());

        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        Assert.Equal(Scope.Agent, ex.Scope);
        AssertNamesRecord(ex, owner, "counter");
        Assert.Contains("Agent", ex.Message, StringComparison.Ordinal);
        Assert.Contains("guild-v", ex.Message, StringComparison.Ordinal);
        Assert.Contains("agent-v", ex.Message, StringComparison.Ordinal);
        Assert.Contains("counter", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task A_conflict_names_the_scope_and_owner_of_every_kind_of_owner(string scope)
    {
        var state = await CreateManagerAsync();
        var owner = OwnerFor(scope);
        await state.SetAsync(owner, "k", 1);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(owner, "k", 2, expectedVersion: 7).AsTask());

        AssertNamesRecord(ex, owner, "k");
        Assert.Equal(7, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
    }

    [Fact]
    public async Task Set_with_a_version_ahead_of_the_record_conflicts()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(Agent1, "k", 2, expectedVersion: 2).AsTask());

        Assert.Equal(2, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        await AssertRecordAsync(state, Agent1, "k", 1, 1);
    }

    [Fact]
    public async Task Set_of_an_absent_key_expecting_a_version_conflicts_with_actual_version_0()
    {
        var state = await CreateManagerAsync();

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(Guild1, "absent", 1, expectedVersion: 1).AsTask());

        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(0, ex.ActualVersion);
        await AssertAbsentAsync(state, Guild1, "absent");
    }

    [Fact]
    public async Task Expected_version_0_creates_only_when_the_record_is_absent()
    {
        var state = await CreateManagerAsync();

        var created = await state.SetAsync(Agent1, "once", "first", expectedVersion: 0);
        var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(Agent1, "once", "second", expectedVersion: 0).AsTask());

        Assert.Equal(1, created);
        Assert.Equal(0, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        AssertNamesRecord(ex, Agent1, "once");
        await AssertRecordAsync(state, Agent1, "once", "first", 1);
    }

    [Fact]
    public async Task A_failed_conditional_write_changes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Guild1, "k", "original");
        await state.SetAsync(Guild1, "k", "current");
        await state.SetAsync(Guild1, "neighbour", "n");

        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(Guild1, "k", "lost", expectedVersion: 1).AsTask());
        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(Guild1, "k", "lost", expectedVersion: 0).AsTask());
        await Assert.ThrowsAsync<StateConflictException>(() => state.DeleteAsync(Guild1, "k", expectedVersion: 1).AsTask());

        await AssertRecordAsync(state, Guild1, "k", "current", 2);
        await AssertRecordAsync(state, Guild1, "neighbour", "n", 1);
        Assert.Equal(3, await state.SetAsync(Guild1, "k", "next", expectedVersion: 2));
    }

    [Fact]
    public async Task Delete_with_the_current_version_deletes()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);
        await state.SetAsync(Agent1, "k", 2);

        Assert.True(await state.DeleteAsync(Agent1, "k", expectedVersion: 2));

        await AssertAbsentAsync(state, Agent1, "k");
    }

    [Fact]
    public async Task Delete_with_a_stale_version_throws_StateConflictException_and_keeps_the_record()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);
        await state.SetAsync(Agent1, "k", 2);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.DeleteAsync(Agent1, "k", expectedVersion: 1).AsTask());

        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        AssertNamesRecord(ex, Agent1, "k");
        await AssertRecordAsync(state, Agent1, "k", 2, 2);
    }

    [Fact]
    public async Task Delete_of_an_absent_key_expecting_a_version_conflicts()
    {
        var state = await CreateManagerAsync();

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.DeleteAsync(Agent1, "absent", expectedVersion: 3).AsTask());

        Assert.Equal(3, ex.ExpectedVersion);
        Assert.Equal(0, ex.ActualVersion);
    }

    [Fact]
    public async Task Delete_expecting_absence_of_an_absent_key_succeeds_and_reports_no_record()
    {
        var state = await CreateManagerAsync();

        Assert.False(await state.DeleteAsync(Agent1, "absent", expectedVersion: 0));
        await AssertAbsentAsync(state, Agent1, "absent");
    }

    [Fact]
    public async Task Delete_expecting_absence_of_a_present_key_conflicts_and_keeps_it()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);

        var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.DeleteAsync(Agent1, "k", expectedVersion: 0).AsTask());

        Assert.Equal(0, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        await AssertRecordAsync(state, Agent1, "k", 1, 1);
    }

    [Fact]
    public async Task A_recreated_key_continues_with_a_higher_version_than_the_deleted_one()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", "v1");
        await state.SetAsync(Agent1, "k", "v2");
        Assert.True(await state.DeleteAsync(Agent1, "k"));

        var recreated = await state.SetAsync(Agent1, "k", "again");

        Assert.True(recreated > 2, $"the re-created record has version {recreated}, which is not above the deleted version 2");
        await AssertRecordAsync(state, Agent1, "k", "again", recreated);
        Assert.Equal(recreated + 1, await state.SetAsync(Agent1, "k", "more", expectedVersion: recreated));
    }

    [Fact]
    public async Task An_old_expected_version_never_matches_a_recreated_key()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Guild1, "k", "v1");
        Assert.True(await state.DeleteAsync(Guild1, "k", expectedVersion: 1));

        // While deleted: the old version does not match, only "absent" does.
        var whileDeleted = await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(Guild1, "k", "x", expectedVersion: 1).AsTask());
        Assert.Equal(0, whileDeleted.ActualVersion);

        var recreated = await state.SetAsync(Guild1, "k", "new", expectedVersion: 0);
        Assert.NotEqual(1, recreated);

        // After re-creation: none of the versions the key had before (1) or a reader of the old record holds matches.
        for (long old = 1; old < recreated; old++)
        {
            var stale = old;
            var ex = await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync(Guild1, "k", "stale", expectedVersion: stale).AsTask());
            Assert.Equal(recreated, ex.ActualVersion);
            await Assert.ThrowsAsync<StateConflictException>(() => state.DeleteAsync(Guild1, "k", expectedVersion: stale).AsTask());
        }

        await AssertRecordAsync(state, Guild1, "k", "new", recreated);
    }

    [Fact]
    public async Task Versions_keep_growing_across_several_delete_and_recreate_cycles()
    {
        var state = await CreateManagerAsync();
        long last = 0;
        for (var cycle = 0; cycle < 4; cycle++)
        {
            var version = await state.SetAsync(StateOwner.Global, "phoenix", cycle);
            Assert.True(version > last, $"cycle {cycle}: version {version} is not above {last}");
            Assert.True(await state.DeleteAsync(StateOwner.Global, "phoenix", expectedVersion: version));
            last = version;
        }
    }

    [Fact]
    public async Task Get_and_list_report_the_version_returned_by_the_write()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "a", 1);
        var b1 = await state.SetAsync(Agent1, "b", 1);
        var b2 = await state.SetAsync(Agent1, "b", 2, expectedVersion: b1);

        var listed = await ListAllAsync<int>(state, Agent1, string.Empty);

        Assert.Equal([1L, b2], listed.Select(e => e.Version));
        Assert.Equal(b2, (await state.GetAsync<int>(Agent1, "b")).Version);
        Assert.Equal(b2, (await state.GetRecordAsync(Agent1, "b"))!.Value.Version);
    }

    [Fact]
    public async Task The_versions_of_one_key_do_not_depend_on_other_keys_or_owners()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "a", 1);
        await state.SetAsync(Agent1, "a", 2);
        await state.SetAsync(Agent2, "a", 1);
        await state.SetAsync(Agent1, "b", 1);

        Assert.Equal(1, (await state.GetAsync<int>(Agent2, "a")).Version);
        Assert.Equal(1, (await state.GetAsync<int>(Agent1, "b")).Version);
        Assert.Equal(2, (await state.GetAsync<int>(Agent1, "a")).Version);
    }
}
