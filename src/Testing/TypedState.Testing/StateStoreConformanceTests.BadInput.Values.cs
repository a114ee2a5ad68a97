using System.Text.Json;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task A_value_larger_than_MaxValueBytes_throws_StateValueTooLargeException_and_keeps_the_old_value()
    {
        var state = await CreateManagerAsync(new StateManagerOptions { MaxValueBytes = 64 });
        var owner = StateOwner.Agent("guild-big", "agent-big");
        await state.SetAsync(owner, "note", "small");
        var tooLarge = new string('x', 100); // 102 bytes of JSON

        var ex = await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetAsync(owner, "note", tooLarge).AsTask());

        Assert.Equal(102, ex.Size);
        Assert.Equal(64, ex.Limit);
        AssertNamesRecord(ex, owner, "note");
        Assert.Contains("102", ex.Message, StringComparison.Ordinal);
        Assert.Contains("64", ex.Message, StringComparison.Ordinal);
        await AssertRecordAsync(state, owner, "note", "small", 1);

        await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetAsync(owner, "note", tooLarge, expectedVersion: 1).AsTask());
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetAsync(owner, "new", tooLarge).AsTask());
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.UpdateAsync<string>(owner, "note", _ => tooLarge).AsTask());
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.ForAgent("guild-big", "agent-big").SetAsync(Scope.Agent, "note", tooLarge).AsTask());
        await AssertRecordAsync(state, owner, "note", "small", 1);
        await AssertAbsentAsync(state, owner, "new");
    }

    [Fact]
    public async Task A_value_of_exactly_MaxValueBytes_is_accepted_and_one_byte_more_is_not()
    {
        var state = await CreateManagerAsync(new StateManagerOptions { MaxValueBytes = 64 });

        Assert.Equal(1, await state.SetAsync(Guild1, "fits", new string('x', 62)));
        var ex = await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetAsync(Guild1, "fits", new string('y', 63)).AsTask());

        Assert.Equal(65, ex.Size);
        await AssertRecordAsync(state, Guild1, "fits", new string('x', 62), 1);
    }

    [Fact]
    public async Task A_too_large_value_in_a_transaction_is_rejected_at_once_and_the_transaction_stays_usable()
    {
        var state = await CreateManagerAsync(new StateManagerOptions { MaxValueBytes = 64 });
        await state.SetAsync(StateOwner.Global, "k", "old");

        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(StateOwner.Global, "other", "ok");
            var ex = await Assert.ThrowsAsync<StateValueTooLargeException>(() => tx.SetAsync(StateOwner.Global, "k", new string('x', 100)).AsTask());
            AssertNamesRecord(ex, StateOwner.Global, "k");
            Assert.Equal("old", (await tx.GetAsync<string>(StateOwner.Global, "k")).Value);
            await tx.CommitAsync();
        }

        await AssertRecordAsync(state, StateOwner.Global, "k", "old", 1);
        await AssertRecordAsync(state, StateOwner.Global, "other", "ok", 1);
    }

    [Fact]
    public async Task MaxValueBytes_counts_the_bytes_of_the_serialized_JSON_not_the_characters()
    {
        var state = await CreateManagerAsync(new StateManagerOptions { MaxValueBytes = 64 });

        // 16 emoji are 32 UTF-16 units and 64 bytes of UTF-8, stored as such (not as \uXXXX escapes): 66 with the quotes.
        var emoji = string.Concat(Enumerable.Repeat("🙂", 16));
        var size = JsonSerializer.SerializeToUtf8Bytes(emoji, state.SerializerOptions).Length;
        var ex = await Assert.ThrowsAsync<StateValueTooLargeException>(() => state.SetAsync(Agent1, "k", emoji).AsTask());

        Assert.Equal(66, size);
        Assert.Equal(size, ex.Size);
        Assert.Equal(1, await state.SetAsync(Agent1, "fits", emoji[2..]));
        await AssertAbsentAsync(state, Agent1, "k");
        Assert.Equal(1, await state.SetAsync(Agent1, "k", "🙂"));
        Assert.Equal("🙂", (await state.GetAsync<string>(Agent1, "k")).Value);
    }

    [Fact]
    public async Task A_value_that_cannot_be_serialized_throws_StateException_naming_the_record_and_writes_nothing()
    {
        var state = await CreateManagerAsync();
        var cyclic = new Node();
        cyclic.Next = cyclic;

        var ex = await Assert.ThrowsAsync<StateException>(() => state.SetAsync(Agent1, "cycle", cyclic).AsTask());

        AssertNamesRecord(ex, Agent1, "cycle");
        await AssertAbsentAsync(state, Agent1, "cycle");
    }

    /// <summary>A self-referencing type, which JSON cannot represent.</summary>
    public sealed class Node
    {
        public Node? Next { get; set; }
    }
}
