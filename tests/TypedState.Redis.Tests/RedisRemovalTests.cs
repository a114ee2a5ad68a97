using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using TypedState.Redis;
using TypedState.Storage;
using Xunit.Abstractions;

namespace TypedState.Tests.Redis;

/// <summary>
/// Removing a large guild runs as many short scripts, so other clients keep being served, and stays serializable
/// with commits made meanwhile: a batch committed before the removal is gone, one committed during or after it
/// is kept whole, above every version removed.
/// </summary>
public sealed class RedisRemovalTests(ITestOutputHelper output)
{
    private const string GuildId = "big-guild";
    private static readonly StateOwner s_guild = StateOwner.Guild(GuildId);

    [Fact]
    public async Task Removing_a_guild_of_200k_records_never_runs_a_script_longer_than_100_ms_and_frees_every_key()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        var admin = server.Connection.GetDatabase();
        var prefix = RedisTestServer.NewKeyPrefix("removal");
        await using var state = new RedisStateManager(new RedisStateDriverOptions { Configuration = server.Configuration, KeyPrefix = prefix });
        await state.SetAsync(StateOwner.Guild("other"), "kept", 1);
        var keysBefore = (long)await admin.ExecuteAsync("DBSIZE");

        // 100k guild records and 100 agents of 1000 records each, some deleted (tombstones), in batches of 1000.
        var clock = Stopwatch.StartNew();
        await FillAsync(state.Driver, s_guild, 100_000);
        for (var agent = 0; agent < 100; agent++)
        {
            await FillAsync(state.Driver, StateOwner.Agent(GuildId, $"agent-{agent}"), 1000);
        }

        await state.DeleteAsync(s_guild, Key(7));
        var filled = clock.Elapsed;

        await admin.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "100000");
        await admin.ExecuteAsync("SLOWLOG", "RESET");
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");
        clock.Restart();
        await state.RemoveGuildAsync(GuildId);
        var removal = clock.Elapsed;
        var scripts = ((string)(await admin.ExecuteAsync("INFO", "commandstats"))!).Split('\n').Where(l => l.StartsWith("cmdstat_eval", StringComparison.Ordinal)).Select(l => l.Trim());
        output.WriteLine("scripts during the removal: " + string.Join("; ", scripts));

        var slow = (RedisResult[])(await admin.ExecuteAsync("SLOWLOG", "GET", "10"))!;
        var slowCommands = slow.Select(entry => (RedisResult[])entry!).Select(e => $"{(long)e[2] / 1000} ms: {string.Join(' ', ((RedisResult[])e[3]!).Take(1).Select(a => (string?)a))}").ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"filled in {filled.TotalSeconds:F1} s, removed in {removal.TotalSeconds:F2} s; slow log: [{string.Join("; ", slowCommands)}]"));
        Assert.Empty(slowCommands);

        Assert.False((await state.GetAsync<int>(s_guild, Key(1))).Exists);
        Assert.False((await state.GetAsync<int>(StateOwner.Agent(GuildId, "agent-5"), Key(1))).Exists);
        Assert.Equal([StateOwner.Guild("other")], await ListAsync(state.Driver.ListOwnersAsync(Scope.Guild, CancellationToken.None)));
        Assert.Empty(await ListAsync(state.Driver.ListOwnersAsync(Scope.Agent, CancellationToken.None)));

        // Every record, tombstone, index and agent set is gone; what remains is a handful of bookkeeping keys (the
        // guild's meta, its space id counter, its root's marker and owner set).
        var keysAfter = (long)await admin.ExecuteAsync("DBSIZE");
        Assert.True(keysAfter <= keysBefore + 4, $"{keysAfter - keysBefore} keys remain after the removal");
    }

    [Fact]
    public async Task Commits_made_while_a_guild_is_removed_are_kept_whole_or_removed_whole_in_one_serial_order()
    {
        var server = await RedisTestServer.GetSharedAsync();
        var prefix = RedisTestServer.NewKeyPrefix("removal");
        await using var state = new RedisStateManager(new RedisStateDriverOptions { Connection = server.Connection, KeyPrefix = prefix, RemovalBatchSize = 50 });
        var driver = (RedisStateDriver)state.Driver;
        var agent = StateOwner.Agent(GuildId, "agent-0");
        await FillAsync(driver, s_guild, 3000);
        await FillAsync(driver, agent, 1000);
        var removedVersion = await state.SetAsync(s_guild, Key(0), -1);

        // One commit lands between the removal's batches, for certain: an old key, a new key, an agent's key.
        var midRemoval = 0L;
        driver.RemovalBatchCompleted = async (batch, ct) =>
        {
            if (batch == 3)
            {
                await using var tx = await state.BeginTransactionAsync(ct);
                await tx.SetAsync(s_guild, Key(0), 100, cancellationToken: ct);
                await tx.SetAsync(s_guild, "mid/new", 100, cancellationToken: ct);
                await tx.SetAsync(agent, "mid/new", 100, cancellationToken: ct);
                await tx.CommitAsync(ct);
                midRemoval = (await state.GetAsync<int>(s_guild, Key(0), ct)).Version;
            }
        };

        // Meanwhile a writer commits pairs without pause, before, during and after the removal.
        using var stop = new CancellationTokenSource();
        var acknowledged = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 1; !stop.IsCancellationRequested; i++)
            {
                await using var tx = await state.BeginTransactionAsync();
                await tx.SetAsync(s_guild, $"w/{i:D6}", i);
                await tx.SetAsync(agent, $"w/{i:D6}", i);
                await tx.CommitAsync();
                Volatile.Write(ref acknowledged, i);
            }
        });
        await WhenAsync(() => Volatile.Read(ref acknowledged) >= 10);

        await state.RemoveGuildAsync(GuildId);
        var afterRemoval = (await state.GetAsync<int>(s_guild, "w/000001")).Exists;
        var returnedAt = Volatile.Read(ref acknowledged);
        await WhenAsync(() => Volatile.Read(ref acknowledged) >= returnedAt + 2);
        await stop.CancelAsync();
        await writer.WaitAsync(TimeSpan.FromSeconds(60));
        var written = Volatile.Read(ref acknowledged);

        // The commit made between batches is kept whole, above every version the removal took away.
        Assert.NotEqual(0, midRemoval);
        Assert.True(midRemoval > removedVersion, $"version {midRemoval} after the removal is not above the removed {removedVersion}");
        Assert.Equal(100, (await state.GetAsync<int>(s_guild, "mid/new")).Value);
        Assert.Equal(100, (await state.GetAsync<int>(agent, "mid/new")).Value);
        Assert.False((await state.GetAsync<int>(s_guild, Key(1))).Exists);
        Assert.False(afterRemoval);

        // The writer's pairs: each kept or removed whole, and the removed ones exactly those committed first.
        var kept = new List<bool>();
        for (var i = 1; i <= written; i++)
        {
            var guildEntry = (await state.GetAsync<int>(s_guild, $"w/{i:D6}")).Exists;
            var agentEntry = (await state.GetAsync<int>(agent, $"w/{i:D6}")).Exists;
            Assert.True(guildEntry == agentEntry, $"pair {i} was removed in part");
            kept.Add(guildEntry);
        }

        var firstKept = kept.IndexOf(true);
        Assert.True(firstKept >= 10, "pairs acknowledged before the removal began were kept");
        Assert.All(kept.Skip(firstKept), k => Assert.True(k, "a pair committed after a kept one was removed"));
        output.WriteLine($"{written} pairs written, the first {firstKept} removed");
    }

    private static async Task FillAsync(IStateDriver driver, StateOwner owner, int count)
    {
        for (var start = 0; start < count; start += 1000)
        {
            var batch = Enumerable.Range(start, Math.Min(1000, count - start))
                .Select(i => new StateWrite(owner, Key(i), StateWriteKind.Set, "1"u8.ToArray(), null))
                .ToList();
            var result = await driver.CommitAsync(batch, [], CommitId.None, CancellationToken.None);
            Assert.True(result.Succeeded);
        }
    }

    private static string Key(int i) => i.ToString("D6", CultureInfo.InvariantCulture);

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Waits (bounded) for the writer's progress; it commits without pause, so this is short.</summary>
    private static async Task WhenAsync(Func<bool> done)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (!done())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The writer stopped making progress");
            await Task.Delay(1);
        }
    }
}
