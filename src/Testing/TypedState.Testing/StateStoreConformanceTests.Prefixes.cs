using TypedState.Storage;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    /// <summary>Keys full of characters that are wildcards, escapes or quotes somewhere (SQL LIKE, GLOB, regex, Redis patterns).</summary>
    private static readonly string[] s_wildcardKeys =
    [
        "a", "ab", "abc", "aB", "b", "ba",
        "a%", "a%b", "a%%",
        "a_", "a_b", "a__",
        "a*", "a*b",
        "a?", "a?b",
        "a[", "a[b]", "a[]", "a[!b]",
        "a]", "a]b",
        "a\\", "a\\b", "a\\%", "a\\_",
        "a'", "a'b", "a''",
        "a\"", "a\"b",
        "a^", "a$", "a.", "a.b", "a-", "a{", "a}", "a|", "a/", "a:", "a#", "a,b", "a b",
        "%", "%a", "_", "_a", "*", "?", "[", "]", "\\", "'", "\"",
    ];

    [Theory]
    [InlineData("a%")]
    [InlineData("a_")]
    [InlineData("a*")]
    [InlineData("a?")]
    [InlineData("a[")]
    [InlineData("a[b")]
    [InlineData("a[b]")]
    [InlineData("a]")]
    [InlineData("a\\")]
    [InlineData("a\\%")]
    [InlineData("a'")]
    [InlineData("a''")]
    [InlineData("a\"")]
    [InlineData("a.")]
    [InlineData("a^")]
    [InlineData("a{")]
    [InlineData("a|")]
    [InlineData("a ")]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("*")]
    [InlineData("?")]
    [InlineData("[")]
    [InlineData("\\")]
    [InlineData("'")]
    [InlineData("\"")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("A")]
    public async Task List_matches_the_prefix_literally(string prefix)
    {
        var state = await CreateManagerAsync();
        await using (var tx = await state.BeginTransactionAsync())
        {
            foreach (var key in s_wildcardKeys)
            {
                await tx.SetAsync(Agent1, key, key);
            }

            await tx.CommitAsync();
        }

        var listed = await ListAllAsync<string>(state, Agent1, prefix);

        var expected = s_wildcardKeys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StateKeyOrder.Comparer).ToList();
        Assert.Equal(expected, listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal(e.Key, e.Value));
    }

    [Fact]
    public async Task Wildcard_prefixes_do_not_match_ordinary_characters()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "ab", 1);
        await state.SetAsync(Agent1, "abc", 2);
        await state.SetAsync(Agent1, "a", 3);

        foreach (var prefix in new[] { "a%", "a_", "a*", "a?", "a[", "a[b]", "a]", "a\\", "a.", "a'", "a\"", "_", "%", "*" })
        {
            Assert.Empty(await ListKeysAsync(state, Agent1, prefix));
        }
    }

    [Fact]
    public async Task Keys_containing_wildcards_and_quotes_round_trip_and_delete_individually()
    {
        var state = await CreateManagerAsync();
        foreach (var key in s_wildcardKeys)
        {
            await state.SetAsync(Guild1, key, key.Length);
        }

        foreach (var key in s_wildcardKeys)
        {
            await AssertRecordAsync(state, Guild1, key, key.Length, 1);
        }

        Assert.True(await state.DeleteAsync(Guild1, "a%"));
        Assert.True(await state.DeleteAsync(Guild1, "a_"));
        Assert.True(await state.DeleteAsync(Guild1, "a*"));

        var remaining = await ListKeysAsync(state, Guild1, string.Empty);
        Assert.Equal(s_wildcardKeys.Except(["a%", "a_", "a*"]).Order(StateKeyOrder.Comparer), remaining);
        await AssertRecordAsync(state, Guild1, "ab", 2, 1);
        await AssertRecordAsync(state, Guild1, "a%b", 3, 1);
    }

    [Fact]
    public async Task Unicode_keys_round_trip_and_list_in_code_point_order()
    {
        var state = await CreateManagerAsync();
        string[] keys =
        [
            "z", "e", "é", "e\u0301", "日本", "日本語", "日", "🙂", "🙂x", "🙃", "\uFFFD", "\uE000", "\uFFFF",
            "\U00010000", "\U0010FFFF", "\u00A0", "Ω", "ﬀ", "A", "a", "~",
        ];
        foreach (var key in keys)
        {
            await state.SetAsync(StateOwner.Global, key, key);
        }

        var listed = await ListAllAsync<string>(state, StateOwner.Global, string.Empty);

        Assert.Equal(keys.Order(StateKeyOrder.Comparer), listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal(e.Key, e.Value));
        foreach (var key in keys)
        {
            await AssertRecordAsync(state, StateOwner.Global, key, key, 1);
        }
    }

    [Fact]
    public async Task A_replacement_character_key_sorts_before_an_emoji_key_although_UTF16_ordinal_order_is_the_reverse()
    {
        var state = await CreateManagerAsync();

        // U+FFFD is one UTF-16 unit 0xFFFD; U+1F642 is the pair 0xD83D 0xDE42, which is smaller by ordinal comparison.
        Assert.True(string.CompareOrdinal("\uFFFD", "🙂") > 0);
        await state.SetAsync(Agent1, "🙂", 1);
        await state.SetAsync(Agent1, "\uFFFD", 2);
        await state.SetAsync(Agent1, "\uE000", 3);
        await state.SetAsync(Agent1, "\uD7FF", 4);

        Assert.Equal(["\uD7FF", "\uE000", "\uFFFD", "🙂"], await ListKeysAsync(state, Agent1, string.Empty));
    }

    [Fact]
    public async Task Key_order_is_code_point_order_also_after_a_shared_prefix()
    {
        var state = await CreateManagerAsync();
        string[] keys = ["p/🙂", "p/\uFFFD", "p/\uFFFDz", "p/🙂a", "p/z", "p/", "p/\U0010FFFF", "p/\U00010000"];
        foreach (var key in keys)
        {
            await state.SetAsync(Agent1, key, 0);
        }

        Assert.Equal(
            ["p/", "p/z", "p/\uFFFD", "p/\uFFFDz", "p/\U00010000", "p/🙂", "p/🙂a", "p/\U0010FFFF"],
            await ListKeysAsync(state, Agent1, "p/"));
    }

    [Fact]
    public async Task A_prefix_ending_in_a_surrogate_pair_matches_only_keys_starting_with_that_character()
    {
        var state = await CreateManagerAsync();
        string[] keys = ["🙂", "🙂x", "🙂🙂", "🙂\U0010FFFF", "🙃", "🙃x", "🙁", "\uFFFD", "x🙂", "\U0001F600"];
        foreach (var key in keys)
        {
            await state.SetAsync(Agent1, key, key);
        }

        Assert.Equal(["🙂", "🙂x", "🙂🙂", "🙂\U0010FFFF"], await ListKeysAsync(state, Agent1, "🙂"));
        Assert.Equal(["🙃", "🙃x"], await ListKeysAsync(state, Agent1, "🙃"));
        Assert.Equal(["x🙂"], await ListKeysAsync(state, Agent1, "x🙂"));
        Assert.Equal(["🙂🙂"], await ListKeysAsync(state, Agent1, "🙂🙂"));
    }

    [Fact]
    public async Task A_prefix_of_the_last_code_point_matches_only_keys_starting_with_it()
    {
        var state = await CreateManagerAsync();
        string[] keys = ["\U0010FFFF", "\U0010FFFFa", "\U0010FFFF\U0010FFFF", "\U0010FFFE", "\uFFFF", "a\U0010FFFF", "a\U0010FFFFb", "b", "a"];
        foreach (var key in keys)
        {
            await state.SetAsync(Agent1, key, 0);
        }

        Assert.Equal(new[] { "\U0010FFFF", "\U0010FFFF\U0010FFFF", "\U0010FFFFa" }.Order(StateKeyOrder.Comparer), await ListKeysAsync(state, Agent1, "\U0010FFFF"));
        Assert.Equal(["a\U0010FFFF", "a\U0010FFFFb"], await ListKeysAsync(state, Agent1, "a\U0010FFFF"));
        Assert.Equal(["\U0010FFFF\U0010FFFF"], await ListKeysAsync(state, Agent1, "\U0010FFFF\U0010FFFF"));
    }

    [Fact]
    public async Task Prefixes_next_to_the_surrogate_range_match_literally()
    {
        var state = await CreateManagerAsync();
        string[] keys = ["\uD7FF", "\uD7FFa", "\uE000", "\U00010000", "\uFFFF", "\uFFFFa", "\U00010001"];
        foreach (var key in keys)
        {
            await state.SetAsync(Agent1, key, 0);
        }

        Assert.Equal(["\uD7FF", "\uD7FFa"], await ListKeysAsync(state, Agent1, "\uD7FF"));
        Assert.Equal(["\uFFFF", "\uFFFFa"], await ListKeysAsync(state, Agent1, "\uFFFF"));
        Assert.Equal(["\U00010000"], await ListKeysAsync(state, Agent1, "\U00010000"));
    }

    [Fact]
    public async Task Unicode_prefixes_match_literally()
    {
        var state = await CreateManagerAsync();
        string[] keys = ["日本", "日本語", "日", "本", "é", "éa", "e\u0301", "e", "\uFFFD", "\uFFFDx"];
        foreach (var key in keys)
        {
            await state.SetAsync(Guild1, key, 0);
        }

        Assert.Equal(["日", "日本", "日本語"], await ListKeysAsync(state, Guild1, "日"));
        Assert.Equal(["日本", "日本語"], await ListKeysAsync(state, Guild1, "日本"));
        Assert.Equal(["é", "éa"], await ListKeysAsync(state, Guild1, "é"));
        Assert.Equal(["e", "e\u0301"], await ListKeysAsync(state, Guild1, "e"));
        Assert.Equal(["\uFFFD", "\uFFFDx"], await ListKeysAsync(state, Guild1, "\uFFFD"));
    }

    [Fact]
    public async Task An_empty_prefix_lists_every_record_of_that_owner_only()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "b", 1);
        await state.SetAsync(Agent1, "a", 1);
        await state.SetAsync(Agent2, "c", 1);
        await state.SetAsync(StateOwner.Agent(G2, A1), "d", 1);
        await state.SetAsync(Guild1, "e", 1);
        await state.SetAsync(Guild2, "f", 1);
        await state.SetAsync(StateOwner.Global, "g", 1);

        Assert.Equal(["a", "b"], await ListKeysAsync(state, Agent1, string.Empty));
        Assert.Equal(["c"], await ListKeysAsync(state, Agent2, string.Empty));
        Assert.Equal(["d"], await ListKeysAsync(state, StateOwner.Agent(G2, A1), string.Empty));
        Assert.Equal(["e"], await ListKeysAsync(state, Guild1, string.Empty));
        Assert.Equal(["f"], await ListKeysAsync(state, Guild2, string.Empty));
        Assert.Equal(["g"], await ListKeysAsync(state, StateOwner.Global, string.Empty));
        Assert.Empty(await ListKeysAsync(state, StateOwner.Agent(G2, A2), string.Empty));
        Assert.Empty(await ListKeysAsync(state, StateOwner.Guild("never-used"), string.Empty));
    }

    [Fact]
    public async Task A_prefix_lists_only_the_owners_records_even_when_other_owners_have_matching_keys()
    {
        var state = await CreateManagerAsync();
        foreach (var owner in new[] { Agent1, Agent2, Guild1, StateOwner.Global })
        {
            await state.SetAsync(owner, "task:1", owner.ToString());
            await state.SetAsync(owner, "task:2", owner.ToString());
        }

        var listed = await ListAllAsync<string>(state, Agent2, "task:");

        Assert.Equal(["task:1", "task:2"], listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal(Agent2.ToString(), e.Value));
    }

    [Fact]
    public async Task Deleted_keys_do_not_appear_in_listings()
    {
        var state = await CreateManagerAsync();
        for (var i = 0; i < 10; i++)
        {
            await state.SetAsync(Agent1, $"k{i}", i);
        }

        for (var i = 0; i < 10; i += 2)
        {
            Assert.True(await state.DeleteAsync(Agent1, $"k{i}"));
        }

        Assert.Equal(["k1", "k3", "k5", "k7", "k9"], await ListKeysAsync(state, Agent1, "k"));
        Assert.Equal(["k1", "k3", "k5", "k7", "k9"], await ListKeysAsync(state, Agent1, string.Empty));
        Assert.Empty(await ListKeysAsync(state, Agent1, "k0"));

        await state.SetAsync(Agent1, "k0", 0);
        Assert.Equal(["k0", "k1", "k3", "k5", "k7", "k9"], await ListKeysAsync(state, Agent1, "k"));
    }

    [Fact]
    public async Task A_listing_of_600_keys_returns_every_key_once_in_order()
    {
        var state = await CreateManagerAsync();
        const int count = 600;
        var keys = Enumerable.Range(0, count).Select(i => $"item-{i:D4}").ToList();

        // Written in a scrambled order (7 and 600 are coprime), in one transaction to keep slow drivers fast.
        await using (var tx = await state.BeginTransactionAsync())
        {
            for (var i = 0; i < count; i++)
            {
                var key = keys[i * 7 % count];
                await tx.SetAsync(Agent1, key, key);
            }

            await tx.CommitAsync();
        }

        await state.SetAsync(Agent1, "itel", "before the range");
        await state.SetAsync(Agent1, "iten", "after the range");
        await state.SetAsync(Agent2, "item-0001", "another owner");

        var listed = await ListAllAsync<string>(state, Agent1, "item-");

        Assert.Equal(keys, listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal(e.Key, e.Value));
        Assert.All(listed, e => Assert.Equal(1, e.Version));
        Assert.Equal(count + 2, (await ListKeysAsync(state, Agent1, string.Empty)).Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(512)]
    public async Task A_listing_around_page_sized_counts_returns_every_key_once_in_order(int count)
    {
        var state = await CreateManagerAsync();
        var keys = Enumerable.Range(0, count).Select(i => $"p{i:D4}").ToList();
        await using (var tx = await state.BeginTransactionAsync())
        {
            foreach (var key in keys)
            {
                await tx.SetAsync(Guild1, key, 0);
            }

            // Tombstones inside the range must not shorten or end a page early.
            await tx.SetAsync(Guild1, "p9999-deleted", 0);
            await tx.CommitAsync();
        }

        for (var i = 0; i < 20; i++)
        {
            await state.SetAsync(Guild1, $"p{i:D4}-gone", 0);
            await state.DeleteAsync(Guild1, $"p{i:D4}-gone");
        }

        await state.DeleteAsync(Guild1, "p9999-deleted");

        Assert.Equal(keys, await ListKeysAsync(state, Guild1, "p"));
        Assert.Equal(keys, await ListKeysAsync(state, Guild1, string.Empty));
    }

    [Fact]
    public async Task A_listing_stopped_early_can_be_followed_by_writes_and_new_listings()
    {
        var state = await CreateManagerAsync();
        for (var i = 0; i < 300; i++)
        {
            await state.SetAsync(Guild1, $"r{i:D3}", i);
        }

        var seen = 0;
        await foreach (var entry in state.ListAsync<int>(Guild1, "r"))
        {
            Assert.Equal(seen, entry.Value);
            if (++seen == 3)
            {
                break;
            }
        }

        await state.SetAsync(Guild1, "r000", -1);

        Assert.Equal(300, (await ListKeysAsync(state, Guild1, "r")).Count);
        await AssertRecordAsync(state, Guild1, "r000", -1, 2);
    }

    [Fact]
    public async Task A_key_of_the_maximum_length_is_stored_listed_and_found_by_its_full_prefix()
    {
        var state = await CreateManagerAsync();
        var ascii = new string('k', 512);
        var emoji = string.Concat(Enumerable.Repeat("🙂", 256));

        await state.SetAsync(Agent1, ascii, 1);
        await state.SetAsync(Agent1, emoji, 2);

        await AssertRecordAsync(state, Agent1, ascii, 1, 1);
        await AssertRecordAsync(state, Agent1, emoji, 2, 1);
        Assert.Equal([ascii], await ListKeysAsync(state, Agent1, ascii));
        Assert.Equal([emoji], await ListKeysAsync(state, Agent1, emoji));
        Assert.Equal([ascii, emoji], await ListKeysAsync(state, Agent1, string.Empty));
    }
}
