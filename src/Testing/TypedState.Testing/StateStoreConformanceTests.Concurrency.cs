namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task Eight_tasks_of_1000_optimistic_increments_each_end_at_exactly_8000()
    {
        const int tasks = 8;
        const int increments = 1000;
        var state = await CreateManagerAsync();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < increments; i++)
            {
                await state.UpdateAsync<int>(Guild1, "counter", v => v + 1, maxAttempts: int.MaxValue);
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(workers);

        await AssertRecordAsync(state, Guild1, "counter", tasks * increments, tasks * increments);
    }

    [Fact]
    public async Task Concurrent_reads_of_existing_records_always_find_them()
    {
        const int tasks = 8;
        const int reads = 500;
        var state = await CreateManagerAsync();
        for (var k = 0; k < 4; k++)
        {
            await state.SetAsync(Guild1, $"k{k}", k);
        }

        var workers = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < reads; i++)
            {
                var key = $"k{(t + i) % 4}";
                var entry = await state.GetAsync<int>(Guild1, key);
                Assert.True(entry.Exists, $"{key} was reported absent");
                Assert.Equal((t + i) % 4, entry.Value);
                Assert.Equal(1, entry.Version);
            }
        })).ToList();
        await Task.WhenAll(workers);
    }

    [Fact]
    public async Task Concurrent_hand_written_compare_and_set_loops_lose_no_increment()
    {
        const int tasks = 4;
        const int increments = 250;
        var state = await CreateManagerAsync();
        var conflicts = 0;

        var workers = Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < increments; i++)
            {
                while (true)
                {
                    var entry = await state.GetAsync(Agent1, "n", TestJsonContext.Default.Int32);
                    try
                    {
                        await state.SetAsync(Agent1, "n", entry.Value + 1, TestJsonContext.Default.Int32, expectedVersion: entry.Version);
                        break;
                    }
                    catch (StateConflictException ex)
                    {
                        Assert.Equal(entry.Version, ex.ExpectedVersion);
                        Assert.NotEqual(entry.Version, ex.ActualVersion);
                        Interlocked.Increment(ref conflicts);
                        await Task.Yield();
                    }
                }
            }
        })).ToList();
        await Task.WhenAll(workers);

        await AssertRecordAsync(state, Agent1, "n", tasks * increments, tasks * increments);
    }

    [Fact]
    public async Task Concurrent_creates_expecting_absence_let_exactly_one_writer_win()
    {
        var state = await CreateManagerAsync();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var contenders = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                await state.SetAsync(Guild1, "leader", $"candidate-{i}", expectedVersion: 0);
                return true;
            }
            catch (StateConflictException)
            {
                return false;
            }
        })).ToList();
        start.SetResult();
        var won = await Task.WhenAll(contenders);

        Assert.Equal(1, won.Count(w => w));
        var leader = await state.GetAsync<string>(Guild1, "leader");
        Assert.Equal($"candidate-{Array.IndexOf(won, true)}", leader.Value);
        Assert.Equal(1, leader.Version);
    }

    [Fact]
    public async Task Concurrent_transfers_between_two_keys_keep_the_sum_constant()
    {
        const int total = 1000;
        const int movers = 4;
        const int transfers = 100;
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "account", total);
        await state.SetAsync(Guild1, "account", 0);

        var workers = Enumerable.Range(0, movers).Select(m => Task.Run(async () =>
        {
            for (var i = 0; i < transfers; i++)
            {
                // Even movers move 2 from the agent to the guild; odd movers move 1 back.
                var (from, to, amount) = m % 2 == 0 ? (Agent1, Guild1, 2) : (Guild1, Agent1, 1);
                await state.RunTransactionAsync(
                    async (tx, ct) =>
                    {
                        var source = await tx.GetAsync<int>(from, "account", ct);
                        var target = await tx.GetAsync<int>(to, "account", ct);
                        await tx.SetAsync(from, "account", source.Value - amount, cancellationToken: ct);
                        await tx.SetAsync(to, "account", target.Value + amount, cancellationToken: ct);
                    },
                    maxAttempts: int.MaxValue);
            }
        })).ToList();

        // A reader that checks, while the transfers run, that every committed read-only snapshot sums to the total.
        var sums = new List<int>();
        var reader = Task.Run(async () =>
        {
            while (!workers.TrueForAll(w => w.IsCompleted))
            {
                sums.Add(await state.RunTransactionAsync(
                    async (tx, ct) =>
                        (await tx.GetAsync<int>(Agent1, "account", ct)).Value + (await tx.GetAsync<int>(Guild1, "account", ct)).Value,
                    maxAttempts: int.MaxValue));
            }
        });

        await Task.WhenAll(workers);
        await reader;

        var agent = (await state.GetAsync<int>(Agent1, "account")).Value;
        var guild = (await state.GetAsync<int>(Guild1, "account")).Value;
        Assert.Equal(total, agent + guild);
        Assert.Equal(total - (movers / 2 * transfers * 2) + (movers / 2 * transfers), agent);
        Assert.All(sums, s => Assert.Equal(total, s));
    }

    [Fact]
    public async Task Concurrent_writers_to_different_owners_and_keys_do_not_interfere()
    {
        var state = await CreateManagerAsync();

        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            var owner = StateOwner.Agent(G1, $"agent-{w}");
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(i + 1, await state.SetAsync(owner, "k", i, expectedVersion: i));
                await state.SetAsync(owner, $"item-{i:D2}", i);
            }
        })).ToList();
        await Task.WhenAll(workers);

        for (var w = 0; w < 6; w++)
        {
            var owner = StateOwner.Agent(G1, $"agent-{w}");
            await AssertRecordAsync(state, owner, "k", 49, 50);
            Assert.Equal(50, (await ListKeysAsync(state, owner, "item-")).Count);
        }
    }

    [Fact]
    public async Task Listings_during_concurrent_writes_return_each_key_at_most_once_in_order()
    {
        var state = await CreateManagerAsync();
        for (var i = 0; i < 100; i++)
        {
            await state.SetAsync(Agent1, $"k{i:D3}", i);
        }

        var writer = Task.Run(async () =>
        {
            for (var round = 0; round < 5; round++)
            {
                for (var i = 0; i < 100; i += 3)
                {
                    await state.SetAsync(Agent1, $"k{i:D3}", round);
                }

                // Keys 3r + 1 are never rewritten above, so each deletion sticks.
                Assert.True(await state.DeleteAsync(Agent1, $"k{(round * 3) + 1:D3}"));
                await state.SetAsync(Agent1, $"k{(round * 3) + 1:D3}x", round);
            }
        });

        while (!writer.IsCompleted)
        {
            var keys = await ListKeysAsync(state, Agent1, "k");
            Assert.Equal(keys.Distinct().Count(), keys.Count);
            Assert.Equal(keys.Order(Storage.StateKeyOrder.Comparer), keys);
        }

        await writer;
        Assert.Equal(100, (await ListKeysAsync(state, Agent1, "k")).Count);
    }
}
