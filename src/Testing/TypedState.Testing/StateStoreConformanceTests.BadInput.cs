using System.Text;
using System.Text.Json;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    /// <summary>
    /// Every operation that takes a key rejects <paramref name="key"/> with an <see cref="InvalidStateKeyException"/>
    /// naming the owner and key, and nothing changes.
    /// </summary>
    private static async Task AssertKeyRejectedEverywhereAsync(StateManager state, StateOwner owner, string key, string printedKey, bool printedIsPartial = false)
    {
        await state.SetAsync(owner, "sentinel", "untouched");

        var calls = new List<(string Name, Func<Task> Call)>
        {
            ("get", () => state.GetAsync<int>(owner, key).AsTask()),
            ("get with JsonTypeInfo", () => state.GetAsync(owner, key, TestJsonContext.Default.Int32).AsTask()),
            ("get record", () => state.GetRecordAsync(owner, key).AsTask()),
            ("set", () => state.SetAsync(owner, key, 1).AsTask()),
            ("set with JsonTypeInfo", () => state.SetAsync(owner, key, 1, TestJsonContext.Default.Int32).AsTask()),
            ("set expecting absence", () => state.SetAsync(owner, key, 1, expectedVersion: 0).AsTask()),
            ("delete", () => state.DeleteAsync(owner, key).AsTask()),
            ("update", () => state.UpdateAsync<int>(owner, key, v => v + 1).AsTask()),
        };

        foreach (var (name, call) in calls)
        {
            var ex = await Assert.ThrowsAsync<InvalidStateKeyException>(call);
            AssertNamesRecordLoosely(ex, owner, key, printedKey, printedIsPartial, name);
            Assert.False(string.IsNullOrEmpty(ex.Reason));
        }

        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(owner, "from-tx", "ok");
            var txCalls = new List<(string Name, Func<Task> Call)>
            {
                ("tx get", () => tx.GetAsync<int>(owner, key).AsTask()),
                ("tx set", () => tx.SetAsync(owner, key, 1).AsTask()),
                ("tx delete", () => tx.DeleteAsync(owner, key).AsTask()),
            };
            foreach (var (name, call) in txCalls)
            {
                var ex = await Assert.ThrowsAsync<InvalidStateKeyException>(call);
                AssertNamesRecordLoosely(ex, owner, key, printedKey, printedIsPartial, name);
            }

            // A rejected key does not spoil the transaction.
            Assert.True(tx.IsActive);
            await tx.CommitAsync();
        }

        var keys = await ListKeysAsync(state, owner, string.Empty);
        Assert.Equal(["from-tx", "sentinel"], keys);
        await AssertRecordAsync(state, owner, "sentinel", "untouched", 1);
    }

    /// <summary>A listing with <paramref name="prefix"/> is rejected when it starts, naming the owner and prefix.</summary>
    private static async Task AssertPrefixRejectedAsync(StateManager state, StateOwner owner, string prefix, string printedPrefix, bool printedIsPartial = false)
    {
        var ex = await Assert.ThrowsAsync<InvalidStateKeyException>(() => DrainAsync(state.ListAsync<int>(owner, prefix)));
        AssertNamesRecordLoosely(ex, owner, prefix, printedPrefix, printedIsPartial, "list");
        Assert.Contains("prefix", ex.Message, StringComparison.Ordinal);

        var raw = await Assert.ThrowsAsync<InvalidStateKeyException>(() => DrainAsync(state.ListRecordsAsync(owner, prefix)));
        AssertNamesRecordLoosely(raw, owner, prefix, printedPrefix, printedIsPartial, "list records");

        await using var tx = await state.BeginTransactionAsync();
        var inTx = await Assert.ThrowsAsync<InvalidStateKeyException>(() => DrainAsync(tx.ListAsync<int>(owner, prefix)));
        AssertNamesRecordLoosely(inTx, owner, prefix, printedPrefix, printedIsPartial, "tx list");
    }

    private static void AssertNamesRecordLoosely(StateException ex, StateOwner owner, string key, string printedKey, bool printedIsPartial, string operation)
    {
        Assert.True(owner == ex.Owner, $"{operation}: the exception names owner {ex.Owner}, not {owner}");
        Assert.Equal(owner.Scope, ex.Scope);
        Assert.Equal(key, ex.Key);
        AssertMessageNamesOwner(ex.Message, owner);
        var expected = printedIsPartial ? $"key '{printedKey}" : $"key '{printedKey}'";
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{operation}: the message '{ex.Message}' does not contain {expected}");
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task An_empty_key_is_rejected_with_InvalidStateKeyException(string scope)
    {
        var state = await CreateManagerAsync();

        await AssertKeyRejectedEverywhereAsync(state, OwnerFor(scope), string.Empty, string.Empty);
    }

    [Fact]
    public async Task A_key_longer_than_MaxKeyLength_is_rejected_and_one_of_exactly_the_limit_is_accepted()
    {
        var state = await CreateManagerAsync();
        var tooLong = new string('k', 513);

        await AssertKeyRejectedEverywhereAsync(state, Agent1, tooLong, new string('k', 100), printedIsPartial: true);
        await AssertPrefixRejectedAsync(state, Agent1, tooLong, new string('k', 100), printedIsPartial: true);
        Assert.Equal(1, await state.SetAsync(Agent1, new string('k', 512), 1));
        var ex = await Assert.ThrowsAsync<InvalidStateKeyException>(() => state.SetAsync(Agent1, tooLong, 1).AsTask());
        Assert.Contains("513", ex.Message, StringComparison.Ordinal);
        Assert.Contains("512", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_smaller_MaxKeyLength_applies_to_keys_and_prefixes()
    {
        var state = await CreateManagerAsync(new StateManagerOptions { MaxKeyLength = 8 });

        await AssertKeyRejectedEverywhereAsync(state, Guild1, "123456789", "123456789");
        await AssertPrefixRejectedAsync(state, Guild1, "123456789", "123456789");
        Assert.Equal(1, await state.SetAsync(Guild1, "12345678", 1));
        Assert.Equal(["12345678"], await ListKeysAsync(state, Guild1, "12345678"));
    }

    [Theory]
    [InlineData("a\nb", "a\\u000Ab")]
    [InlineData("\n", "\\u000A")]
    [InlineData("nul\0", "nul\\u0000")]
    [InlineData("bell\u0007", "bell\\u0007")]
    [InlineData("tab\t", "tab\\u0009")]
    [InlineData("cr\r", "cr\\u000D")]
    [InlineData("del\u007F", "del\\u007F")]
    [InlineData("c1\u0085", "c1\\u0085")]
    public async Task A_key_or_prefix_with_a_control_character_is_rejected(string key, string printed)
    {
        var state = await CreateManagerAsync();

        await AssertKeyRejectedEverywhereAsync(state, Agent1, key, printed);
        await AssertPrefixRejectedAsync(state, Agent1, key, printed);
        await AssertPrefixRejectedAsync(state, StateOwner.Global, key, printed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_key_or_prefix_with_an_unpaired_surrogate_is_rejected(int variant)
    {
        // Built in code: lone surrogates do not survive test-case serialization.
        var (key, printed) = variant switch
        {
            0 => ("a\uD800b", "a\\uD800b"),
            1 => ("\uDC00", "\\uDC00"),
            2 => ("ends high \uD83D", "ends high \\uD83D"),
            _ => ("reversed \uDE42\uD83D", "reversed \\uDE42\\uD83D"),
        };
        var state = await CreateManagerAsync();

        await AssertKeyRejectedEverywhereAsync(state, Guild1, key, printed);
        await AssertPrefixRejectedAsync(state, Guild1, key, printed);
    }

    [Fact]
    public async Task A_null_key_or_prefix_throws_ArgumentNullException_and_changes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);
        string key = null!;

        await Assert.ThrowsAsync<ArgumentNullException>(() => state.GetAsync<int>(Agent1, key).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => state.GetRecordAsync(Agent1, key).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => state.SetAsync(Agent1, key, 1).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => state.DeleteAsync(Agent1, key).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => DrainAsync(state.ListAsync<int>(Agent1, key)));
        await using (var tx = await state.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<ArgumentNullException>(() => tx.GetAsync<int>(Agent1, key).AsTask());
            await Assert.ThrowsAsync<ArgumentNullException>(() => tx.SetAsync(Agent1, key, 1).AsTask());
            await Assert.ThrowsAsync<ArgumentNullException>(() => tx.DeleteAsync(Agent1, key).AsTask());
            await Assert.ThrowsAsync<ArgumentNullException>(() => DrainAsync(tx.ListAsync<int>(Agent1, key)));
        }

        await AssertRecordAsync(state, Agent1, "k", 1, 1);
    }

    [Fact]
    public async Task A_default_owner_throws_ArgumentException_and_changes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(StateOwner.Global, "k", 1);
        var owner = default(StateOwner);

        Assert.False(owner.IsValid);
        await Assert.ThrowsAsync<ArgumentException>(() => state.GetAsync<int>(owner, "k").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => state.GetRecordAsync(owner, "k").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => state.SetAsync(owner, "k", 2).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => state.DeleteAsync(owner, "k").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => DrainAsync(state.ListAsync<int>(owner, string.Empty)));
        await using (var tx = await state.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<ArgumentException>(() => tx.GetAsync<int>(owner, "k").AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => tx.SetAsync(owner, "k", 2).AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => tx.DeleteAsync(owner, "k").AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => DrainAsync(tx.ListAsync<int>(owner, string.Empty)));
            await tx.CommitAsync();
        }

        await AssertRecordAsync(state, StateOwner.Global, "k", 1, 1);
        Assert.Equal(["k"], await ListKeysAsync(state, StateOwner.Global, string.Empty));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\nb")]
    [InlineData("nul\0")]
    [InlineData("bell\u0007")]
    public async Task Invalid_guild_or_agent_ids_throw_ArgumentException(string id)
    {
        var state = await CreateManagerAsync();
        var tooLong = new string('g', StateOwner.MaxIdLength + 1);

        foreach (var bad in new[] { id, tooLong, "lone \uD800" })
        {
            var agentEx = Assert.Throws<ArgumentException>(() => StateOwner.Agent(bad, "agent"));
            Assert.Equal("guildId", agentEx.ParamName);
            Assert.Equal("agentId", Assert.Throws<ArgumentException>(() => StateOwner.Agent("guild", bad)).ParamName);
            Assert.Throws<ArgumentException>(() => StateOwner.Guild(bad));
            await Assert.ThrowsAsync<ArgumentException>(() => state.RemoveAgentAsync(bad, "agent").AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => state.RemoveAgentAsync("guild", bad).AsTask());
            await Assert.ThrowsAsync<ArgumentException>(() => state.RemoveGuildAsync(bad).AsTask());
        }

        Assert.Throws<ArgumentNullException>(() => StateOwner.Agent(null!, "agent"));
        Assert.Throws<ArgumentNullException>(() => StateOwner.Agent("guild", null!));
        Assert.Throws<ArgumentNullException>(() => StateOwner.Guild(null!));
        _ = StateOwner.Agent(new string('g', StateOwner.MaxIdLength), new string('a', StateOwner.MaxIdLength));
    }

    [Fact]
    public async Task Ids_of_the_maximum_length_work_as_owners()
    {
        var state = await CreateManagerAsync();
        var owner = StateOwner.Agent(new string('g', StateOwner.MaxIdLength), string.Concat(Enumerable.Repeat("🙂", StateOwner.MaxIdLength / 2)));

        await state.SetAsync(owner, "k", 1);

        await AssertRecordAsync(state, owner, "k", 1, 1);
        await state.RemoveGuildAsync(owner.GuildIdOrEmpty);
        await AssertAbsentAsync(state, owner, "k");
    }

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
    public async Task Options_outside_their_bounds_are_rejected_when_the_manager_is_built()
    {
        var driver = await CreateDriverAsync();
        try
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new StateManager(driver, new StateManagerOptions { MaxValueBytes = 8 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new StateManager(driver, new StateManagerOptions { MaxKeyLength = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new StateManager(driver, new StateManagerOptions { MaxKeyLength = 8193 }));
        }
        finally
        {
            await driver.DisposeAsync();
        }
    }

    public static TheoryData<string, string> CorruptPayloads => new()
    {
        { "not JSON", "{not json" },
        { "truncated JSON", "{\"count\": 1" },
        { "a string where a record is expected", "\"text\"" },
        { "a number of the wrong type inside the record", "{\"count\":\"seven\"}" },
        { "an array where a record is expected", "[1,2,3]" },
        { "trailing garbage", "{\"count\":1} trailing" },
        { "a number too large for int", "{\"count\":1e400}" },
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
    public async Task A_value_of_the_wrong_shape_for_a_scalar_type_is_reported_as_corrupt()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "word", "seven");
        await state.SetAsync(Agent1, "nothing", (string?)null);
        await state.SetAsync(Agent1, "number", 7);

        var asInt = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync<int>(Agent1, "word").AsTask());
        var nullAsInt = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync<int>(Agent1, "nothing").AsTask());
        var numberAsString = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync<string>(Agent1, "number").AsTask());

        Assert.Equal(typeof(int), asInt.TargetType);
        Assert.Equal(1, asInt.Version);
        AssertNamesRecord(asInt, Agent1, "word");
        AssertNamesRecord(nullAsInt, Agent1, "nothing");
        Assert.Equal(typeof(string), numberAsString.TargetType);
        Assert.Equal("seven", (await state.GetAsync<string>(Agent1, "word")).Value);
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
        await WriteRawAsync(state.Driver, Guild1, "worse", "\"text\""u8.ToArray());
        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => state.GetAsync<Counter>(Guild1, "bad").AsTask());

        var repaired = await state.SetAsync(Guild1, "bad", new Counter(1), expectedVersion: ex.Version);

        Assert.Equal(ex.Version + 1, repaired);
        Assert.Equal(new Counter(1), (await state.GetAsync<Counter>(Guild1, "bad")).Value);
        Assert.True(await state.DeleteAsync(Guild1, "worse"));
        Assert.All(await ListAllAsync<Counter>(state, Guild1, string.Empty), e => Assert.Null(e.Error));
    }

    [Fact]
    public async Task A_negative_expected_version_throws_ArgumentOutOfRangeException_and_changes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.SetAsync(Agent1, "k", 2, expectedVersion: -1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.SetAsync(Agent1, "k", 2, TestJsonContext.Default.Int32, expectedVersion: long.MinValue).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.DeleteAsync(Agent1, "k", expectedVersion: -1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => state.ForAgent(G1, A1).SetAsync(Scope.Agent, "k", 2, expectedVersion: -5).AsTask());
        await using (var tx = await state.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tx.SetAsync(Agent1, "k", 2, expectedVersion: -1).AsTask());
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tx.DeleteAsync(Agent1, "k", expectedVersion: -1).AsTask());
            await tx.CommitAsync();
        }

        await AssertRecordAsync(state, Agent1, "k", 1, 1);
    }

    [Fact]
    public async Task A_canceled_operation_throws_OperationCanceledException_and_writes_nothing()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "k", 1);
        await state.SetAsync(Agent1, "k2", 2);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        var token = canceled.Token;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.SetAsync(Agent1, "k", 5, cancellationToken: token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.SetAsync(Agent1, "new", 5, cancellationToken: token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.DeleteAsync(Agent1, "k", cancellationToken: token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => state.GetAsync<int>(Agent1, "k", token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DrainAsync(state.ListAsync<int>(Agent1, string.Empty, token)));
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(Agent1, "k", 6);
            await tx.SetAsync(Agent1, "from-tx", 6);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tx.CommitAsync(token).AsTask());
        }

        await AssertRecordAsync(state, Agent1, "k", 1, 1);
        await AssertAbsentAsync(state, Agent1, "new");
        await AssertAbsentAsync(state, Agent1, "from-tx");
        Assert.Equal(["k", "k2"], await ListKeysAsync(state, Agent1, string.Empty));
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
