using TypedState.Timeline;

namespace TypedState.Testing;

// The log: gapless entries written with their commit, the state as of each sequence, appended events.
public abstract partial class TimelineConformanceTests
{
    [Fact]
    public async Task Every_commit_adds_gapless_entries_with_its_versions_and_one_commit_id()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Guild, "before", "kept");
        var started = await state.Timelines.StartAsync(G);
        Assert.Equal((G, 1L, false, false, 0L), (started.GuildId, started.Head, started.IsPaused, started.IsFork, started.RetainedFrom));

        await state.SetAsync(Guild, "plan", "draft");
        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(Guild, "plan", "final");
            await tx.SetAsync(AgentA, "notes", "n1");
            await tx.CommitAsync();
        }

        Assert.True(await state.DeleteAsync(Guild, "before"));
        Assert.False(await state.DeleteAsync(Guild, "never"));
        await state.SetAsync(StateOwner.Global, "global", "not logged");
        await state.SetAsync(StateOwner.Guild("other"), "plan", "not logged");

        var entries = await EntriesAsync(state, G);
        Assert.Equal([1L, 2, 3, 4, 5], entries.Select(e => e.Sequence));
        Assert.Equal(
            [
                (TimelineEntryKind.Set, Guild, "before", 0L, 1L, "\"kept\""),
                (TimelineEntryKind.Set, Guild, "plan", 0L, 1L, "\"draft\""),
                (TimelineEntryKind.Set, Guild, "plan", 1L, 2L, "\"final\""),
                (TimelineEntryKind.Set, AgentA, "notes", 0L, 1L, "\"n1\""),
                (TimelineEntryKind.Delete, Guild, "before", 1L, 2L, ""),
            ],
            entries.Select(e => (e.Kind, e.Owner, e.Key, e.PreviousVersion, e.Version, System.Text.Encoding.UTF8.GetString(e.Value.Span))));
        Assert.Equal(entries[2].CommitId, entries[3].CommitId);
        Assert.NotEqual(entries[1].CommitId, entries[2].CommitId);
        Assert.Equal(5, (await state.Timelines.GetAsync(G))!.Head);
        Assert.Null(await state.Timelines.GetAsync("other"));
        Assert.Equal([4L, 5], (await EntriesAsync(state, G, after: 3)).Select(e => e.Sequence));
        Assert.Empty(await EntriesAsync(state, G, after: 5));
    }

    [Fact]
    public async Task State_as_of_every_sequence_equals_a_model_of_the_writes()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        var random = new Random(1234);
        var model = new Dictionary<(StateOwner, string), (string Value, long Version)>();
        var versions = new Dictionary<(StateOwner, string), long>();
        var snapshots = new List<Dictionary<(StateOwner, string), (string Value, long Version)>> { new(model) };
        StateOwner[] owners = [Guild, AgentA, AgentB];
        for (var step = 1; step <= 200; step++)
        {
            var owner = owners[random.Next(owners.Length)];
            var key = $"k{random.Next(6)}";
            if (random.Next(4) == 0 && model.ContainsKey((owner, key)))
            {
                await state.DeleteAsync(owner, key);
                model.Remove((owner, key));
                versions[(owner, key)]++;
            }
            else
            {
                var value = $"v{step}";
                var version = await state.SetAsync(owner, key, value);
                versions[(owner, key)] = version;
                model[(owner, key)] = (value, version);
            }

            snapshots.Add(new(model));
        }

        var head = (await state.Timelines.GetAsync(G))!.Head;
        Assert.Equal(snapshots.Count - 1, head);
        for (var sequence = 0; sequence <= head; sequence++)
        {
            foreach (var owner in owners)
            {
                var expected = snapshots[sequence].Where(p => p.Key.Item1 == owner).Select(p => (p.Key.Item2, (string?)p.Value.Value, p.Value.Version)).OrderBy(r => r.Item1, StringComparer.Ordinal).ToList();
                Assert.Equal(expected, await AsOfAsync(state, owner, sequence));
            }
        }

        var single = await state.Timelines.GetAsOfAsync<string>(AgentA, "k1", head / 2);
        Assert.Equal(snapshots[(int)(head / 2)].TryGetValue((AgentA, "k1"), out var known) ? (true, known.Value, known.Version) : (false, null, 0L), (single.Exists, single.Value, single.Version));
    }

    [Fact]
    public async Task Folding_the_log_of_concurrent_transactions_reproduces_the_state()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        const int writers = 16;
        const int transactions = 200;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < transactions; i++)
            {
                await state.RunTransactionAsync(async (tx, _) =>
                {
                    var shared = await tx.GetAsync<int>(Guild, "total", CancellationToken.None);
                    await tx.SetAsync(Guild, "total", shared.Value + 1, cancellationToken: CancellationToken.None);
                    await tx.SetAsync(StateOwner.Agent(G, $"w{w}"), $"k{i % 5}", i, cancellationToken: CancellationToken.None);
                },
                maxAttempts: 10_000); // 16 writers on one hot key: a writer may lose many rounds before it wins one
            }
        })));

        var folded = new Dictionary<(StateOwner, string), (string Value, long Version)>();
        var previous = 0L;
        await foreach (var entry in state.Timelines.ReadAsync(G))
        {
            Assert.Equal(previous + 1, entry.Sequence);
            previous = entry.Sequence;
            if (entry.Kind == TimelineEntryKind.Set)
            {
                folded[(entry.Owner, entry.Key)] = (System.Text.Encoding.UTF8.GetString(entry.Value.Span), entry.Version);
            }
            else if (entry.Kind == TimelineEntryKind.Delete)
            {
                folded.Remove((entry.Owner, entry.Key));
            }
        }

        Assert.Equal(writers * transactions * 2, previous);
        Assert.Equal(("3200", 3200L), folded[(Guild, "total")]);
        var live = new Dictionary<(StateOwner, string), (string Value, long Version)>();
        foreach (var owner in Enumerable.Range(0, writers).Select(w => StateOwner.Agent(G, $"w{w}")).Append(Guild))
        {
            await foreach (var record in state.Driver.ListAsync(owner, string.Empty, CancellationToken.None))
            {
                live[(owner, record.Key)] = (System.Text.Encoding.UTF8.GetString(record.Value.Span), record.Version);
            }
        }

        Assert.Equal(live.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal), folded.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal));
    }

    [Fact]
    public async Task Appended_events_are_entries_and_an_id_appended_twice_stores_one()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        var first = await state.Timelines.AppendAsync(AgentA, new TimelineNote("order placed"), "evt-1");
        var again = await state.Timelines.AppendAsync(AgentA, new TimelineNote("order placed, retried"), "evt-1");
        Assert.Equal((1L, 1L), (first, again));

        await using (var tx = await state.BeginTransactionAsync())
        {
            await tx.SetAsync(AgentA, "orders", 1);
            Assert.Equal("evt-2", tx.Append(AgentA, new TimelineNote("counted"), "evt-2"));
            tx.Append(AgentA, new TimelineNote("duplicate in one batch"), "evt-2");
            await tx.CommitAsync();
        }

        var entries = await EntriesAsync(state, G);
        Assert.Equal(
            [(1L, TimelineEntryKind.Append, "evt-1"), (2L, TimelineEntryKind.Set, "orders"), (3L, TimelineEntryKind.Append, "evt-2")],
            entries.Select(e => (e.Sequence, e.Kind, e.Key)));
        Assert.Equal(entries[1].CommitId, entries[2].CommitId);
        Assert.Equal("counted", System.Text.Json.JsonSerializer.Deserialize<TimelineNote>(entries[2].Value.Span, state.SerializerOptions)!.Text);
        Assert.Equal(3L, entries[2].Version);
    }

    [Fact]
    public async Task An_event_whose_transaction_conflicts_is_not_appended()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "stock", 1);
        await using var tx = await state.BeginTransactionAsync();
        var stock = await tx.GetAsync<int>(Guild, "stock");
        await tx.SetAsync(Guild, "stock", stock.Value - 1);
        tx.Append(Guild, new TimelineNote("sold"), "sale-1");
        await state.SetAsync(Guild, "stock", 0);

        await Assert.ThrowsAsync<StateConflictException>(async () => await tx.CommitAsync());
        Assert.DoesNotContain(await EntriesAsync(state, G), e => e.Kind == TimelineEntryKind.Append);
    }

    [Fact]
    public async Task Appending_to_a_guild_without_a_timeline_is_refused_and_stores_nothing()
    {
        var state = await CreateManagerAsync();
        var error = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.AppendAsync(AgentA, new TimelineNote("lost?"), "evt-1"));
        Assert.Equal((TimelineFailure.NotStarted, G, StateWriteOutcome.NotApplied), (error.Failure, error.GuildId, error.Outcome));
        Assert.Contains($"guild '{G}'", error.Message, StringComparison.Ordinal);

        await using var tx = await state.BeginTransactionAsync();
        await tx.SetAsync(AgentA, "k", "v");
        tx.Append(AgentA, new TimelineNote("with a write"));
        await Assert.ThrowsAsync<StateTimelineException>(async () => await tx.CommitAsync());
        Assert.False((await state.GetAsync<string>(AgentA, "k")).Exists);
        await Assert.ThrowsAsync<StateTimelineException>(async () => await EntriesAsync(state, G));
    }

    [Fact]
    public async Task Reading_beyond_the_head_or_a_guild_without_a_timeline_names_the_guild_and_sequence()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(Guild, "k", "v");

        var beyond = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.GetAsOfAsync<string>(Guild, "k", 2));
        Assert.Equal((TimelineFailure.BeyondHead, G, 2L), (beyond.Failure, beyond.GuildId, beyond.Sequence));
        var unknown = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.GetAsOfAsync<string>(StateOwner.Guild("nobody"), "k", 0));
        Assert.Equal((TimelineFailure.NotStarted, "nobody"), (unknown.Failure, unknown.GuildId));
        await Assert.ThrowsAsync<ArgumentException>(async () => await state.Timelines.GetAsOfAsync<string>(StateOwner.Global, "k", 0));
        Assert.Equal(("v", 1L), ((await state.Timelines.GetAsOfAsync<string>(Guild, "k", 1)).Value, (await state.Timelines.GetAsOfAsync<string>(Guild, "k", 1)).Version));
        Assert.False((await state.Timelines.GetAsOfAsync<string>(Guild, "k", 0)).Exists);
    }

    [Fact]
    public async Task Removing_an_agent_is_an_entry_and_hides_its_records_from_then_on()
    {
        var state = await CreateManagerAsync();
        await state.Timelines.StartAsync(G);
        await state.SetAsync(AgentA, "k", "v");
        await state.RemoveAgentAsync(G, "a1");
        await state.SetAsync(AgentA, "fresh", "new life");

        var entries = await EntriesAsync(state, G);
        Assert.Equal([TimelineEntryKind.Set, TimelineEntryKind.RemoveOwner, TimelineEntryKind.Set], entries.Select(e => e.Kind));
        Assert.Equal([("k", (string?)"v", 1L)], await AsOfAsync(state, AgentA, 1));
        Assert.Empty(await AsOfAsync(state, AgentA, 2));
        Assert.Equal(["fresh"], (await AsOfAsync(state, AgentA, 3)).Select(r => r.Key));
    }
}
