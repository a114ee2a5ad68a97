using TypedState.Storage;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    /// <summary>A write kind no driver knows, as a newer core (or a buggy caller) might send one.</summary>
    private const StateWriteKind UnknownWriteKind = (StateWriteKind)42;

    /// <summary>The ways one write of an unknown kind can meet a record: any version, absent, the live version.</summary>
    public static TheoryData<string, long?> UnknownKindConditions => new()
    {
        { "agent", null },
        { "guild", 1 },
        { "global", 0 },
    };

    [Theory]
    [MemberData(nameof(UnknownKindConditions))]
    public async Task A_write_of_an_unknown_kind_is_refused_naming_kind_owner_and_key_and_writes_nothing(string scope, long? expectedVersion)
    {
        var state = await CreateManagerAsync();
        var owner = OwnerFor(scope);
        var key = expectedVersion == 0 ? "absent" : "k";
        await state.SetAsync(owner, "k", "kept");

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await state.Driver.CommitAsync([new StateWrite(owner, key, UnknownWriteKind, "\"new\""u8.ToArray(), expectedVersion)], [], CommitId.None, CancellationToken.None));

        AssertNamesUnknownKind(error, owner, key);
        await AssertRecordAsync(state, owner, "k", "kept", 1);
        await AssertAbsentAsync(state, owner, "absent");
        Assert.Equal(["k"], await ListKeysAsync(state, owner, string.Empty));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_batch_holding_an_unknown_kind_is_refused_and_none_of_its_valid_writes_is_applied(int position)
    {
        var state = await CreateManagerAsync();
        var other = GlobalOrSameRoot;
        await state.SetAsync(other, "doomed", "kept");
        var writes = new List<StateWrite>
        {
            new(Agent1, "created", StateWriteKind.Set, "\"new\""u8.ToArray(), null),
            new(other, "doomed", StateWriteKind.Delete, default, 1),
        };
        writes.Insert(position, new StateWrite(Guild1, "strange", UnknownWriteKind, "\"new\""u8.ToArray(), 0));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await state.Driver.CommitAsync(writes, [], CommitId.None, CancellationToken.None));

        AssertNamesUnknownKind(error, Guild1, "strange");
        await AssertAbsentAsync(state, Agent1, "created");
        await AssertAbsentAsync(state, Guild1, "strange");
        await AssertRecordAsync(state, other, "doomed", "kept", 1);

        // The store is untouched and still works: the same batch without the stranger applies.
        writes.RemoveAt(position);
        var result = await state.Driver.CommitAsync(writes, [], CommitId.None, CancellationToken.None);
        Assert.True(result.Succeeded);
        await AssertRecordAsync(state, Agent1, "created", "new", 1);
        await AssertAbsentAsync(state, other, "doomed");
    }

    [Fact]
    public async Task An_unknown_kind_among_checks_is_refused_too()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);
        StateWrite[] writes =
        [
            new(Agent1, "k", StateWriteKind.Check, default, 1),
            new(Agent1, "other", UnknownWriteKind, default, null),
        ];

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await state.Driver.CommitAsync(writes, [], CommitId.None, CancellationToken.None));

        AssertNamesUnknownKind(error, Agent1, "other");
        Assert.Equal(["k"], await ListKeysAsync(state, Agent1, string.Empty));
    }

    /// <summary>The error a driver raises for an unknown kind: the write kind, its scope, owner and key.</summary>
    private static void AssertNamesUnknownKind(ArgumentOutOfRangeException error, StateOwner owner, string key)
    {
        Assert.Equal("writes", error.ParamName);
        Assert.Equal(UnknownWriteKind, error.ActualValue);
        Assert.Contains("write kind 42", error.Message, StringComparison.Ordinal);
        AssertMessageNamesOwner(error.Message, owner);
        Assert.Contains($"key '{key}'", error.Message, StringComparison.Ordinal);
    }
}
