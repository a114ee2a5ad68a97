using System.Text;
using System.Text.Json;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    /// <summary>Bytes that are not one well-formed JSON value (values of the wrong shape are in TypeMismatchPayloads).</summary>
    public static TheoryData<string, string> CorruptPayloads => new()
    {
        { "not JSON", "{not json" },
        { "truncated JSON", "{\"count\": 1" },
        { "trailing garbage", "{\"count\":1} trailing" },
        { "two documents", "{\"count\":1}{\"count\":2}" },
        { "single quotes", "{'count':1}" },
    };

    [Theory]
    [MemberData(nameof(CorruptPayloads))]
    public async Task A_corrupt_record_throws_CorruptStateException_and_leaves_other_records_readable(string what, string payload)
    {
        var state = await CreateManagerAsync();
        var owner = StateOwner.Agent("guild-c", "agent-c");
        await state.SetAsync(owner, "a", new Counter(1));
        await state.SetAsync(owner, "bad", new Counter(2));
        var version = await WriteRawAsync(state.Driver, owner, "bad", Encoding.UTF8.GetBytes(payload));
        await state.SetAsync(owner, "c", new Counter(3));

        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync<Counter>(owner, "bad").AsTask());

        Assert.True(version == 2, what);
        Assert.Equal(version, ex.Version);
        Assert.Equal(typeof(Counter), ex.TargetType);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
        AssertNamesRecord(ex, owner, "bad");
        await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync(owner, "bad", TestJsonContext.Default.Counter).AsTask());
        Assert.Equal(new Counter(1), (await state.GetAsync<Counter>(owner, "a")).Value);
        Assert.Equal(new Counter(3), (await state.GetAsync<Counter>(owner, "c")).Value);
        StoredDocuments.AssertSame(Encoding.UTF8.GetBytes(payload), (await state.GetRecordAsync(owner, "bad"))!.Value.Value);
    }

    [Theory]
    [MemberData(nameof(CorruptPayloads))]
    public async Task A_listing_yields_a_corrupt_record_with_its_error_and_every_other_record_intact(string what, string payload)
    {
        var state = await CreateManagerAsync();
        var owner = Guild1;
        await state.SetAsync(owner, "r1", new Counter(1));
        await WriteRawAsync(state.Driver, owner, "r2", Encoding.UTF8.GetBytes(payload));
        await state.SetAsync(owner, "r3", new Counter(3));

        var listed = await ListAllAsync<Counter>(state, owner, "r");

        Assert.True(listed.Count == 3, what);
        Assert.Equal(["r1", "r2", "r3"], listed.Select(e => e.Key));
        Assert.Null(listed[0].Error);
        Assert.Null(listed[2].Error);
        Assert.Equal(new Counter(1), listed[0].Value);
        Assert.Equal(new Counter(3), listed[2].Value);
        var corrupt = listed[1];
        Assert.True(corrupt.Exists);
        Assert.Equal(1, corrupt.Version);
        Assert.NotNull(corrupt.Error);
        Assert.Equal(1, Assert.IsType<CorruptStateException>(corrupt.Error).Version);
        AssertNamesRecord(corrupt.Error, owner, "r2");
        var thrown = Assert.Throws<CorruptStateException>(() => corrupt.Value);
        Assert.Same(corrupt.Error, thrown);
        Assert.False(corrupt.TryGetValue(out _));
    }

    [Fact]
    public async Task An_empty_stored_value_is_a_corrupt_record_not_an_absent_one()
    {
        var state = await CreateManagerAsync();
        var version = await WriteRawAsync(state.Driver, Agent1, "empty", []);
        await state.SetAsync(Agent1, "fine", 1);

        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync<int>(Agent1, "empty").AsTask());

        Assert.Equal(version, ex.Version);
        var record = await state.GetRecordAsync(Agent1, "empty");
        Assert.NotNull(record);
        Assert.Equal(0, record.Value.Value.Length);
        var listed = await ListAllAsync<int>(state, Agent1, string.Empty);
        Assert.Equal(["empty", "fine"], listed.Select(e => e.Key));
        Assert.NotNull(listed[0].Error);
    }

    [Fact]
    public async Task Invalid_UTF8_in_a_stored_string_is_reported_as_corrupt()
    {
        var state = await CreateManagerAsync();
        await WriteRawAsync(state.Driver, Agent1, "bytes", [(byte)'"', 0xFF, 0xFE, (byte)'"']);
        await state.SetAsync(Agent1, "fine", "ok");

        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync<string>(Agent1, "bytes").AsTask());

        AssertNamesRecord(ex, Agent1, "bytes");
        var listed = await ListAllAsync<string>(state, Agent1, string.Empty);
        Assert.Equal(["bytes", "fine"], listed.Select(e => e.Key));
        Assert.NotNull(listed[0].Error);
        Assert.Equal("ok", listed[1].Value);
    }

    [Fact]
    public async Task A_corrupt_record_is_reported_inside_transactions_and_by_UpdateAsync_without_being_overwritten()
    {
        var state = await CreateManagerAsync();
        var version = await WriteRawAsync(state.Driver, Agent1, "bad", "{not json"u8.ToArray());
        await state.SetAsync(Agent1, "good", 1);

        await Assert.ThrowsAsync<CorruptStateException>(() => state.UpdateAsync<int>(Agent1, "bad", v => v + 1).AsTask());
        await using (var tx = await state.BeginTransactionAsync())
        {
            var ex = await Assert.ThrowsAsync<CorruptStateException>(() => tx.GetAsync<int>(Agent1, "bad").AsTask());
            Assert.Equal(version, ex.Version);
            var listed = await ListAllAsync<int>(tx, Agent1, string.Empty);
            Assert.Equal(["bad", "good"], listed.Select(e => e.Key));
            Assert.NotNull(listed[0].Error);
            Assert.Equal(1, listed[1].Value);
        }

        StoredDocuments.AssertSame("{not json"u8.ToArray(), (await state.GetRecordAsync(Agent1, "bad"))!.Value.Value);
    }

    [Fact]
    public async Task A_corrupt_record_can_be_repaired_with_its_version_or_deleted()
    {
        var state = await CreateManagerAsync();
        await WriteRawAsync(state.Driver, Guild1, "bad", "{not json"u8.ToArray());
        await WriteRawAsync(state.Driver, Guild1, "worse", "{\"count\":"u8.ToArray());
        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync<Counter>(Guild1, "bad").AsTask());

        var repaired = await state.SetAsync(Guild1, "bad", new Counter(1), expectedVersion: ex.Version);

        Assert.Equal(ex.Version + 1, repaired);
        Assert.Equal(new Counter(1), (await state.GetAsync<Counter>(Guild1, "bad")).Value);
        Assert.True(await state.DeleteAsync(Guild1, "worse"));
        Assert.All(await ListAllAsync<Counter>(state, Guild1, string.Empty), e => Assert.Null(e.Error));
    }
}
