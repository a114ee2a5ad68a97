using System.Text;
using StackExchange.Redis;
using TypedState.Redis;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState.Tests.Redis;

/// <summary>
/// What the timeline suite cannot see on Redis: the hash tag of every timeline key, a commit repeated under its commit
/// id, the log across a killed and restarted server with an append-only file, and a fork's build never visible half made.
/// </summary>
public sealed class RedisTimelineTests
{
    private const string G = "tagged guild {with braces}";
    private static readonly StateOwner s_guild = StateOwner.Guild(G);
    private static readonly StateOwner s_agent = StateOwner.Agent(G, "a1");

    [Fact]
    public async Task Every_timeline_key_of_a_guild_carries_the_hash_tag_of_its_records()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("timeline-tags");
        var options = drivers.NewOptions();
        await using var state = new StateManager(new RedisStateDriver(options), ownsDriver: true);
        await state.Timelines.StartAsync(G);
        await state.SetAsync(s_guild, "plan", "v1");
        await state.SetAsync(s_agent, "notes", "n1");
        await state.Driver.CommitAsync([new(s_agent, "evt-1", StateWriteKind.Append, "{}"u8.ToArray(), null)], [], CommitId.New(), CancellationToken.None);
        await state.RemoveAgentAsync(G, "a2");
        await state.Timelines.PinAsync(G, 2);
        await ((ITimelineSnapshotDriver)state.Driver).SaveSnapshotAsync(G, 2, "{}"u8.ToArray(), CancellationToken.None);
        await state.Timelines.ForkAsync(G, 2, "fork {x}");
        await using (var held = await state.AcquireLockAsync(s_guild, "plan", TimeSpan.FromMinutes(1), TimeSpan.Zero))
        {
            // Every key of the guild's root: records, indexes, locks and timeline keys alike.
            var root = new RedisKeys(options.KeyPrefix).RootOf(s_guild);
            var keys = new List<string>();
            var server = drivers.Server.Connection.GetServers().Single();
            await foreach (var key in server.KeysAsync(pattern: "{" + options.KeyPrefix + "|*"))
            {
                keys.Add(key!);
            }

            var record = keys.Single(key => key.StartsWith(root, StringComparison.Ordinal) && key.Contains(":r:guild:", StringComparison.Ordinal) && key.EndsWith(":plan", StringComparison.Ordinal));
            var guildKeys = keys.Where(key => key.StartsWith(root, StringComparison.Ordinal)).ToList();
            Assert.All(guildKeys, key => Assert.Equal(HashTag(record), HashTag(key)));
            Assert.All(guildKeys, key => Assert.Equal(server.Multiplexer.HashSlot(record), server.Multiplexer.HashSlot(key)));

            // The fork is a guild of its own, under its own root.
            var forkRoot = new RedisKeys(options.KeyPrefix).RootOf(StateOwner.Guild("fork {x}"));
            Assert.Contains(keys, key => key.StartsWith(forkRoot, StringComparison.Ordinal));

            // The guild's timeline keys are those named after its tag, all present.
            var tag = RedisKeys.GuildTag(G);
            string[] kinds = ["", "e", "h", "r", "a", "f", "s", "p"];
            Assert.All(kinds, kind => Assert.Contains(root + "x" + kind + ":" + tag, keys));
            Assert.Contains(root + "l:" + tag, keys);
        }
    }

    [Fact]
    public async Task A_commit_repeated_under_its_commit_id_logs_its_entries_once()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("timeline-retry");
        var driver = drivers.CreateDriver();
        await driver.StartTimelineAsync(G, CancellationToken.None);
        var id = CommitId.New();
        StateWrite[] writes =
        [
            new(s_guild, "plan", StateWriteKind.Set, "\"v1\""u8.ToArray(), 0),
            new(s_agent, "evt-1", StateWriteKind.Append, "{}"u8.ToArray(), null),
        ];

        var first = await driver.CommitAsync(writes, [], id, CancellationToken.None);
        var again = await driver.CommitAsync(writes, [], id, CancellationToken.None);
        Assert.True(first.Succeeded);
        Assert.Equal([1L, 2], first.Versions);
        Assert.Equal(first.Versions, again.Versions);

        var entries = new List<TimelineEntry>();
        await foreach (var entry in driver.ReadEntriesAsync(G, 0, CancellationToken.None))
        {
            entries.Add(entry);
        }

        Assert.Equal([(1L, TimelineEntryKind.Set), (2L, TimelineEntryKind.Append)], entries.Select(e => (e.Sequence, e.Kind)));
        Assert.All(entries, e => Assert.Equal(id.Value, e.CommitId));
        Assert.Equal(2, (await driver.ReadTimelineAsync(G, CancellationToken.None))!.Head);
    }

    [Fact]
    public async Task The_log_survives_a_killed_and_restarted_server_with_an_append_only_file()
    {
        await using var server = await RedisTestServer.StartAsync(durable: true);
        var prefix = RedisTestServer.NewKeyPrefix("timeline-restart");
        List<TimelineEntry> before;
        await using (var state = new RedisStateManager(server.Configuration, prefix))
        {
            await state.Timelines.StartAsync(G);
            for (var i = 1; i <= 20; i++)
            {
                await state.SetAsync(i % 2 == 0 ? s_guild : s_agent, $"k{i % 4}", $"v{i}");
            }

            await state.Timelines.PauseAsync(G);
            before = await EntriesAsync(state);
        }

        await server.KillAsync();
        await server.RestartAsync();

        await using var reopened = new RedisStateManager(server.Configuration, prefix);
        var after = await EntriesAsync(reopened);
        Assert.Equal(20, after.Count);
        Assert.Equal(
            before.Select(e => (e.Sequence, e.Kind, e.Owner, e.Key, e.Version, Encoding.UTF8.GetString(e.Value.Span), e.CommitId, e.Timestamp)),
            after.Select(e => (e.Sequence, e.Kind, e.Owner, e.Key, e.Version, Encoding.UTF8.GetString(e.Value.Span), e.CommitId, e.Timestamp)));
        var timeline = (await reopened.Timelines.GetAsync(G))!;
        Assert.Equal((20L, 20L), (timeline.Head, timeline.PausedAt));
        var refused = await Assert.ThrowsAsync<StateTimelineException>(async () => await reopened.SetAsync(s_guild, "k0", "while paused"));
        Assert.Equal(TimelineFailure.Paused, refused.Failure);
    }

    [Fact]
    public async Task A_fork_refused_at_publication_leaves_no_record_of_its_build()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("timeline-fork-build");
        var options = drivers.NewOptions();
        await using var state = new StateManager(new RedisStateDriver(options), ownsDriver: true);
        await state.Timelines.StartAsync(G);
        for (var i = 0; i < 10; i++)
        {
            await state.SetAsync(i % 2 == 0 ? s_guild : s_agent, $"k{i}", i);
        }

        // Another client takes the target guild while the fork copies (between its first and last script).
        var target = StateOwner.Agent("target", "squatter");
        var driver = (RedisStateDriver)state.Driver;
        driver.ForkPageWritten = async cancellationToken => await state.SetAsync(target, "k", "first", cancellationToken: cancellationToken);
        var outcome = await Assert.ThrowsAsync<StateTimelineException>(async () => await driver.ForkAsync(G, 10, "target", CancellationToken.None));
        driver.ForkPageWritten = null;

        Assert.Equal((TimelineFailure.GuildExists, "target"), (outcome.Failure, outcome.GuildId));
        Assert.Null(await state.Timelines.GetAsync("target"));
        Assert.Equal([("k", "first")], await ListAsync(state, target));
        Assert.Empty(await ListAsync(state, StateOwner.Guild("target")));

        // The build's key space was deleted: only the squatter's keys mention the target guild.
        var server = drivers.Server.Connection.GetServers().Single();
        var root = new RedisKeys(options.KeyPrefix).RootOf(target);
        var leftovers = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: root + "r*"))
        {
            leftovers.Add(key!);
        }

        Assert.Equal([RedisKeys.OwnerTag(target)], leftovers.Select(key => key[(root.Length + 2)..key.LastIndexOf(':')]));
        Assert.False(await drivers.Server.Connection.GetDatabase().KeyExistsAsync(root + "xb"));
    }

    [Fact]
    public async Task Pruning_a_fork_keeps_its_state_at_the_horizon_and_what_it_reads_through()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("timeline-fork-prune");
        await using var state = new StateManager(drivers.CreateDriver());
        await state.Timelines.StartAsync(G);
        for (var i = 1; i <= 6; i++)
        {
            await state.SetAsync(s_guild, $"k{i % 2}", $"v{i}");
        }

        await state.Timelines.ForkAsync(G, 6, "pruned-fork");
        var fork = StateOwner.Guild("pruned-fork");
        for (var i = 7; i <= 12; i++)
        {
            await state.SetAsync(fork, "k0", $"fork v{i}");
        }

        var atNine = await AsOfAsync(state, fork, 9);
        var pruned = await state.Timelines.PruneAsync("pruned-fork", 9);
        Assert.Equal((9L, 12L, 6L), (pruned.RetainedFrom, pruned.Head, pruned.ForkSequence));
        Assert.Equal(atNine, await AsOfAsync(state, fork, 9));
        Assert.Equal([("k0", "fork v12"), ("k1", "v5")], await AsOfAsync(state, fork, 12));
        Assert.Equal([10L, 11, 12], (await EntriesAsync(state, "pruned-fork", 9)).Select(e => e.Sequence));
        var below = await Assert.ThrowsAsync<StateTimelineException>(async () => await state.Timelines.GetAsOfAsync<string>(fork, "k1", 8));
        Assert.Equal((TimelineFailure.Pruned, 8L), (below.Failure, below.Sequence));
        Assert.Equal([("k0", "v6"), ("k1", "v5")], await AsOfAsync(state, StateOwner.Guild(G), 6));
    }

    [Fact]
    public async Task A_listing_as_of_a_sequence_agrees_with_a_fold_of_the_writes_across_pages()
    {
        // 1,100 history members for 700 records of one agent: the scan's pages of 1,000 split a record's run of
        // members, and an agent removal hides what came before it.
        await using var drivers = await RedisTestDrivers.StartAsync("timeline-list-pages");
        await using var state = new StateManager(drivers.CreateDriver());
        const string guildId = "paged guild";
        var agent = StateOwner.Agent(guildId, "a");
        await state.Timelines.StartAsync(guildId);
        var writes = new List<(string Key, string? Value)>();
        foreach (var (from, count, value) in new[] { (0, 700, "v1"), (0, 400, "v2") })
        {
            for (var batch = from; batch < from + count; batch += 100)
            {
                await using var transaction = await state.BeginTransactionAsync();
                for (var i = batch; i < batch + 100; i++)
                {
                    await transaction.SetAsync(agent, $"k{i:D3}", value);
                    writes.Add(($"k{i:D3}", value));
                }

                await transaction.CommitAsync();
            }
        }

        await state.RemoveAgentAsync(guildId, "a");
        writes.Add(("", null));
        await state.SetAsync(agent, "k005", "v3");
        writes.Add(("k005", "v3"));

        foreach (var sequence in new long[] { 350, 700, 999, 1000, 1100, 1101, 1102 })
        {
            var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in writes.Take((int)sequence))
            {
                if (value is null)
                {
                    model.Clear();
                }
                else
                {
                    model[key] = value;
                }
            }

            Assert.Equal(model.Select(pair => (pair.Key, (string?)pair.Value)), await AsOfAsync(state, agent, sequence));
            Assert.Equal(model.Where(pair => pair.Key.StartsWith("k00", StringComparison.Ordinal)).Select(pair => (pair.Key, (string?)pair.Value)), await AsOfAsync(state, agent, sequence, "k00"));
        }
    }

    private static async Task<List<TimelineEntry>> EntriesAsync(StateManager state, string guildId = G, long after = 0)
    {
        var entries = new List<TimelineEntry>();
        await foreach (var entry in state.Timelines.ReadAsync(guildId, after))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static async Task<List<(string, string?)>> ListAsync(StateManager state, StateOwner owner)
    {
        var records = new List<(string, string?)>();
        await foreach (var entry in state.ListAsync<string>(owner, string.Empty))
        {
            records.Add((entry.Key, entry.Value));
        }

        return records;
    }

    private static async Task<List<(string, string?)>> AsOfAsync(StateManager state, StateOwner owner, long sequence, string prefix = "")
    {
        var records = new List<(string, string?)>();
        await foreach (var entry in state.Timelines.ListAsOfAsync<string>(owner, prefix, sequence))
        {
            records.Add((entry.Key, entry.Value));
        }

        return records;
    }

    private static string HashTag(string key) => key[(key.IndexOf('{', StringComparison.Ordinal) + 1)..key.IndexOf('}', StringComparison.Ordinal)];
}
