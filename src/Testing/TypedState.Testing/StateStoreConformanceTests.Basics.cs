using System.Text.Json;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task Get_of_an_absent_key_gives_Exists_false_and_version_0(string scope)
    {
        var state = await CreateManagerAsync();

        var entry = await state.GetAsync<int>(OwnerFor(scope), "missing");

        Assert.False(entry.Exists);
        Assert.Equal(0, entry.Version);
        Assert.Equal(0, entry.Value);
        Assert.Equal("missing", entry.Key);
        Assert.False(entry.TryGetValue(out _));
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task Set_then_get_returns_value_and_version_1(string scope)
    {
        var state = await CreateManagerAsync();
        var owner = OwnerFor(scope);

        var version = await state.SetAsync(owner, "visits", 41);
        var entry = await state.GetAsync<int>(owner, "visits");

        Assert.Equal(1, version);
        Assert.True(entry.Exists);
        Assert.Equal(41, entry.Value);
        Assert.Equal(1, entry.Version);
        Assert.Equal("visits", entry.Key);
        Assert.True(entry.TryGetValue(out var value));
        Assert.Equal(41, value);
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task Each_set_returns_the_next_version(string scope)
    {
        var state = await CreateManagerAsync();
        var owner = OwnerFor(scope);

        var versions = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            versions.Add(await state.SetAsync(owner, "k", i));
        }

        Assert.Equal([1L, 2L, 3L, 4L, 5L], versions);
        await AssertRecordAsync(state, owner, "k", 4, 5);
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task Delete_returns_true_when_the_record_existed_and_false_afterwards(string scope)
    {
        var state = await CreateManagerAsync();
        var owner = OwnerFor(scope);
        await state.SetAsync(owner, "doomed", "x");
        await state.SetAsync(owner, "kept", "y");

        Assert.True(await state.DeleteAsync(owner, "doomed"));
        Assert.False(await state.DeleteAsync(owner, "doomed"));
        Assert.False(await state.DeleteAsync(owner, "never-existed"));

        await AssertAbsentAsync(state, owner, "doomed");
        await AssertRecordAsync(state, owner, "kept", "y", 1);
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task List_with_a_prefix_returns_matching_records_with_values_and_versions_in_key_order(string scope)
    {
        var state = await CreateManagerAsync();
        var owner = OwnerFor(scope);
        await state.SetAsync(owner, "task:2", 20);
        await state.SetAsync(owner, "task:1", 10);
        await state.SetAsync(owner, "task:1", 11);
        await state.SetAsync(owner, "other", 99);
        await state.SetAsync(owner, "task:10", 100);

        var entries = await ListAllAsync<int>(state, owner, "task:");

        Assert.Equal(["task:1", "task:10", "task:2"], entries.Select(e => e.Key));
        Assert.Equal([11, 100, 20], entries.Select(e => e.Value));
        Assert.Equal([2L, 1L, 1L], entries.Select(e => e.Version));
        Assert.All(entries, e => Assert.True(e.Exists));
        Assert.All(entries, e => Assert.Null(e.Error));
    }

    [Fact]
    public async Task GetValueOrDefault_returns_the_default_only_when_absent()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "present", 0);

        Assert.Equal(-1, await state.GetValueOrDefaultAsync(Agent1, "absent", -1));
        Assert.Equal(0, await state.GetValueOrDefaultAsync(Agent1, "present", -1));
    }

    [Fact]
    public async Task GetRequired_throws_StateNotFoundException_naming_the_record_when_absent()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Guild1, "present", 3);

        var ex = await Assert.ThrowsAsync<StateNotFoundException>(() => state.GetRequiredAsync(Guild1, "absent", TestJsonContext.Default.Int32).AsTask());

        AssertNamesRecord(ex, Guild1, "absent");
        Assert.Equal(3, (await state.GetRequiredAsync(Guild1, "present", TestJsonContext.Default.Int32)).Value);
    }

    [Fact]
    public async Task UpdateAsync_creates_from_default_then_increments()
    {
        var state = await CreateManagerAsync();

        var first = await state.UpdateAsync<int>(Agent1, "count", v => v + 1);
        var second = await state.UpdateAsync(Agent1, "count", v => v + 10, TestJsonContext.Default.Int32);

        Assert.Equal(1, first.Value);
        Assert.Equal(1, first.Version);
        Assert.Equal(11, second.Value);
        Assert.Equal(2, second.Version);
        await AssertRecordAsync(state, Agent1, "count", 11, 2);
    }

    [Fact]
    public async Task Stored_bytes_are_the_JSON_of_the_value()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "c", new Counter(7));

        var record = await state.GetRecordAsync(Agent1, "c");
        var absent = await state.GetRecordAsync(Agent1, "absent");

        Assert.NotNull(record);
        Assert.Equal("c", record.Value.Key);
        Assert.Equal(1, record.Value.Version);
        using var json = JsonDocument.Parse(record.Value.Value);
        Assert.Equal(7, json.RootElement.GetProperty("count").GetInt32());
        Assert.Null(absent);
    }

    [Fact]
    public async Task Two_managers_over_the_same_driver_see_each_others_writes()
    {
        var first = await CreateManagerAsync();
        var second = CreateManagerOver(first.Driver);

        await first.SetAsync(Guild1, "shared", "from first");
        var seen = await second.GetAsync<string>(Guild1, "shared");
        var version = await second.SetAsync(Guild1, "shared", "from second", expectedVersion: seen.Version);

        Assert.Equal("from first", seen.Value);
        Assert.Equal(2, version);
        await AssertRecordAsync(first, Guild1, "shared", "from second", 2);
    }
}
