using System.Text;
using System.Text.Json;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    public static TheoryData<string, byte[]> MalformedJsonValues => new()
    {
        { "empty", [] },
        { "only whitespace", " \n "u8.ToArray() },
        { "truncated", "{\"count\": 1"u8.ToArray() },
        { "single quotes", "{'count':1}"u8.ToArray() },
        { "a trailing comma", "[1,2,]"u8.ToArray() },
        { "a comment", "// note\n1"u8.ToArray() },
        { "two values", "{\"count\":1} {}"u8.ToArray() },
        { "trailing garbage", "{\"count\":1} x"u8.ToArray() },
        { "invalid UTF-8 in a string", [(byte)'"', 0xFF, 0xFE, (byte)'"'] },
    };

    [Theory]
    [InlineData("agent")]
    [InlineData("guild")]
    [InlineData("global")]
    public async Task Raw_JSON_bytes_are_stored_as_they_are_and_read_back_raw_and_typed(string scope)
    {
        var state = await CreateManagerAsync();
        var owner = OwnerFor(scope);
        var json = """{"name":"Ada","age":36,"tags":["x","y"],"scores":{"a":1},"home":{"city":"Paris","street":null}}"""u8.ToArray();

        var version = await state.SetJsonAsync(owner, "profile", json);

        Assert.Equal(1, version);
        var raw = await state.GetJsonAsync(owner, "profile");
        Assert.True(raw.Exists);
        Assert.Equal(1, raw.Version);
        StoredDocuments.AssertSame(json, raw.Value);
        var typed = await state.GetAsync<Profile>(owner, "profile");
        Assert.Equal("Ada", typed.Value!.Name);
        Assert.Equal(36, typed.Value.Age);
        Assert.Equal(["x", "y"], typed.Value.Tags);
        var absent = await state.GetJsonAsync(owner, "missing");
        Assert.False(absent.Exists);
        Assert.Equal(0, absent.Version);
    }

    [Fact]
    public async Task Raw_JSON_writes_compare_and_set_on_the_version()
    {
        var state = await CreateManagerAsync();
        var created = await state.SetJsonAsync(Agent1, "doc", "[1]"u8.ToArray(), expectedVersion: 0);

        var conflict = await Assert.ThrowsAsync<StateConflictException>(() => state.SetJsonAsync(Agent1, "doc", "[2]"u8.ToArray(), expectedVersion: 0).AsTask());
        var replaced = await state.SetJsonAsync(Agent1, "doc", "[3]"u8.ToArray(), expectedVersion: created);
        var stale = await Assert.ThrowsAsync<StateConflictException>(() => state.SetJsonAsync(Agent1, "doc", "[4]"u8.ToArray(), expectedVersion: created).AsTask());

        Assert.Equal(1, created);
        Assert.Equal(2, replaced);
        AssertNamesRecord(conflict, Agent1, "doc");
        Assert.Equal(2, stale.ActualVersion);
        Assert.Equal([3], (await state.GetAsync<List<int>>(Agent1, "doc")).Value);
    }

    [Fact]
    public async Task A_JsonElement_is_stored_with_its_own_text_and_read_back_as_an_element()
    {
        var state = await CreateManagerAsync();
        using var document = JsonDocument.Parse("""{"outer":{"price":12.50,"names":["a","b"],"flag":true}}""");
        var element = document.RootElement.GetProperty("outer");

        var version = await state.SetJsonAsync(Guild1, "element", element);
        var read = await state.GetJsonElementAsync(Guild1, "element");

        Assert.Equal(1, version);
        Assert.True(read.Exists);
        Assert.Equal(1, read.Version);
        Assert.True(StoredDocuments.AreEqual(element, read.Value), read.Value.GetRawText());
        Assert.Equal(12.50m, read.Value.GetProperty("price").GetDecimal());
        Assert.False((await state.GetJsonElementAsync(Guild1, "absent")).Exists);
        await Assert.ThrowsAsync<ArgumentException>(() => state.SetJsonAsync(Guild1, "undefined", default(JsonElement)).AsTask());
    }

    [Theory]
    [MemberData(nameof(MalformedJsonValues))]
    public async Task A_raw_write_that_is_not_one_JSON_value_is_refused_with_a_typed_error_and_writes_nothing(string what, byte[] bytes)
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "kept", new Counter(1));

        var direct = await Assert.ThrowsAsync<InvalidStateJsonException>(() => state.SetJsonAsync(Agent1, "kept", bytes).AsTask());
        var fresh = await Assert.ThrowsAsync<InvalidStateJsonException>(() => state.SetJsonAsync(Agent1, "fresh", bytes).AsTask());
        await using (var tx = await state.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<InvalidStateJsonException>(() => tx.SetJsonAsync(Agent1, "kept", bytes).AsTask());
            await tx.CommitAsync();
        }

        Assert.False(string.IsNullOrEmpty(direct.Problem), what);
        AssertNamesRecord(direct, Agent1, "kept");
        AssertNamesRecord(fresh, Agent1, "fresh");
        Assert.Equal(StateWriteOutcome.NotApplied, direct.Outcome);
        Assert.Contains("Nothing was written", direct.Message, StringComparison.Ordinal);
        await AssertRecordAsync(state, Agent1, "kept", new Counter(1), 1);
        await AssertAbsentAsync(state, Agent1, "fresh");
    }

    [Fact]
    public async Task A_raw_write_over_the_size_limit_is_refused()
    {
        var state = await CreateManagerAsync(new StateManagerOptions { MaxValueBytes = 16 });
        var json = Encoding.UTF8.GetBytes("\"" + new string('x', 32) + "\"");

        var ex = await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetJsonAsync(Agent1, "big", json).AsTask());

        AssertNamesRecord(ex, Agent1, "big");
        await AssertAbsentAsync(state, Agent1, "big");
    }

    [Fact]
    public async Task A_caller_reusing_its_buffer_after_a_raw_write_does_not_change_the_record()
    {
        var state = await CreateManagerAsync();
        var buffer = "[1,2,3]"u8.ToArray();

        await state.SetJsonAsync(Agent1, "copy", buffer);
        buffer[1] = (byte)'9';

        Assert.Equal([1, 2, 3], (await state.GetAsync<List<int>>(Agent1, "copy")).Value);
    }

    [Fact]
    public async Task Raw_JSON_in_a_transaction_is_buffered_seen_by_its_own_reads_and_checked_at_commit()
    {
        var state = await CreateManagerAsync();
        await state.SetJsonAsync(Agent1, "read", "{\"count\":1}"u8.ToArray());

        await using (var tx = await state.BeginTransactionAsync())
        {
            Assert.Equal(0, await tx.SetJsonAsync(Agent1, "written", "{\"count\":5}"u8.ToArray(), expectedVersion: 0));
            var own = await tx.GetJsonAsync(Agent1, "written");
            StoredDocuments.AssertSame("{\"count\":5}"u8.ToArray(), own.Value);
            Assert.Equal(new Counter(5), (await tx.GetAsync<Counter>(Agent1, "written")).Value);
            await AssertAbsentAsync(state, Agent1, "written");
            var commit = await tx.CommitAsync();
            Assert.Equal(1, commit.VersionOf(Agent1, "written"));
        }

        await AssertRecordAsync(state, Agent1, "written", new Counter(5), 1);

        // A raw read is a read: a change by another client meanwhile fails the commit.
        await using var conflicting = await state.BeginTransactionAsync();
        var seen = await conflicting.GetJsonAsync(Agent1, "read");
        Assert.Equal(1, seen.Version);
        await state.SetJsonAsync(Agent1, "read", "{\"count\":2}"u8.ToArray());
        await conflicting.SetJsonAsync(Agent1, "other", "true"u8.ToArray());
        var ex = await Assert.ThrowsAsync<StateConflictException>(() => conflicting.CommitAsync().AsTask());
        AssertNamesRecord(ex, Agent1, "read");
        await AssertAbsentAsync(state, Agent1, "other");
    }

    [Fact]
    public async Task A_raw_read_of_bytes_that_are_not_JSON_is_a_corrupt_record()
    {
        var state = await CreateManagerAsync();
        var version = await WriteRawAsync(state.Driver, Agent1, "bad", "{not json"u8.ToArray());

        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetJsonAsync(Agent1, "bad").AsTask());

        Assert.Equal(version, ex.Version);
        AssertNamesRecord(ex, Agent1, "bad");
        await using var tx = await state.BeginTransactionAsync();
        await Assert.ThrowsAsync<CorruptStateException>(() => tx.GetJsonAsync(Agent1, "bad").AsTask());
    }
}
