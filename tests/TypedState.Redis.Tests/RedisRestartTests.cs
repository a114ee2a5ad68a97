using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using TypedState.Redis;
using Xunit.Abstractions;
using static TypedState.Tests.Fixtures.StateListings;

namespace TypedState.Tests.Redis;

/// <summary>
/// A dedicated server with an append-only file synced on every write is killed with SIGKILL while writers run.
/// Every write acknowledged before the kill must be there after a restart on the same port and dir, with its
/// value; each transaction is all or nothing; operations during the outage fail with a
/// <see cref="StateDriverException"/>, and the same driver works again once the server is back.
/// </summary>
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int KillAfterCommits = 300;
    private static readonly StateOwner s_guild = StateOwner.Guild("restart-guild");

    [Fact]
    public async Task Every_acknowledged_write_survives_a_killed_and_restarted_server_and_the_outage_fails_clearly()
    {
        await using var server = await RedisTestServer.StartAsync(durable: true);

        // Short timeouts: an operation during the outage fails after one second instead of the default five.
        var configuration = server.Configuration + ",connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000";
        // A commit in flight at the kill has an unknown outcome; the manager tries to learn it for two seconds.
        await using var state = new RedisStateManager(configuration, "restart", new StateManagerOptions { CommitRecoveryTimeout = TimeSpan.FromSeconds(2) });
        var clock = Stopwatch.StartNew();

        long tokenBefore;
        await using (var held = await state.AcquireLockAsync(s_guild, "lease", TimeSpan.FromMinutes(1), TimeSpan.Zero))
        {
            tokenBefore = held.FencingToken;
        }

        // Writers: each commit sets one key of the writer's agent and one key of the guild, atomically.
        var acknowledged = Enumerable.Range(0, Writers).Select(_ => new List<int>()).ToArray();
        var lastAttempt = new int[Writers];
        var failures = new Exception?[Writers];
        var total = 0;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 1; ; i++)
            {
                lastAttempt[w] = i;
                try
                {
                    await using var tx = await state.BeginTransactionAsync();
                    await tx.SetAsync(AgentOf(w), Key(i), i);
                    await tx.SetAsync(s_guild, GuildKey(w, i), i);
                    await tx.CommitAsync();
                }
                catch (Exception ex)
                {
                    failures[w] = ex;
                    return;
                }

                acknowledged[w].Add(i);
                if (Interlocked.Increment(ref total) == KillAfterCommits)
                {
                    enough.TrySetResult();
                }
            }
        })).ToArray();

        await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await server.KillAsync();
        var killedAt = clock.Elapsed;
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        var writersStoppedAt = clock.Elapsed;

        // Every writer stopped on a clear driver error, not a silent success or another exception.
        foreach (var failure in failures)
        {
            var driverError = Assert.IsType<StateDriverException>(failure);
            Assert.Equal("redis", driverError.Driver);
            Assert.True(driverError.InnerException is RedisException or TimeoutException, $"Unexpected inner error: {driverError.InnerException}");
        }

        // During the outage: reads, writes, listings and locks fail with errors naming what they concern (run
        // together, since each waits for the client's one-second timeout).
        var readFails = Assert.ThrowsAsync<StateDriverException>(() => state.GetAsync<int>(AgentOf(0), Key(1)).AsTask());
        var writeFails = Assert.ThrowsAsync<StateDriverException>(() => state.SetAsync(s_guild, "during-outage", 1).AsTask());
        var listFails = Assert.ThrowsAsync<StateDriverException>(() => DrainAsync(state.ListAsync<int>(s_guild, string.Empty)));
        var lockFails = Assert.ThrowsAsync<StateDriverException>(() => state.TryAcquireLockAsync(s_guild, "lease", TimeSpan.FromMinutes(1)).AsTask());
        await Task.WhenAll(readFails, writeFails, listFails, lockFails);
        var read = await readFails;
        Assert.Equal(AgentOf(0), read.Owner);
        Assert.Equal(Key(1), read.Key);
        Assert.Contains("redis", read.Message, StringComparison.Ordinal);
        var write = await writeFails;
        Assert.Equal(s_guild, write.Owner);
        Assert.Equal("during-outage", write.Key);
        Assert.Equal(s_guild, (await lockFails).Owner);
        var outageCheckedAt = clock.Elapsed;

        // Back on the same port and dir: the same manager reconnects by itself (bounded wait).
        await server.RestartAsync();
        var restartedAt = clock.Elapsed;
        var reconnect = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await state.SetAsync(s_guild, "after-restart", 1);
                break;
            }
            catch (StateDriverException) when (reconnect.Elapsed < TimeSpan.FromSeconds(30))
            {
            }
        }

        var reconnectedAt = clock.Elapsed;
        Assert.Equal(1, (await state.GetAsync<int>(s_guild, "after-restart")).Value);
        Assert.False((await state.GetAsync<int>(s_guild, "during-outage")).Exists, "A write that failed during the outage was applied");

        var guildKeys = await KeysAsync(state, s_guild, "writer-");
        for (var w = 0; w < Writers; w++)
        {
            foreach (var i in acknowledged[w])
            {
                var agentEntry = await state.GetAsync<int>(AgentOf(w), Key(i));
                var guildEntry = await state.GetAsync<int>(s_guild, GuildKey(w, i));
                Assert.True(agentEntry.Exists && guildEntry.Exists, $"Acknowledged commit {i} of writer {w} was lost");
                Assert.Equal((i, 1L), (agentEntry.Value, agentEntry.Version));
                Assert.Equal((i, 1L), (guildEntry.Value, guildEntry.Version));
            }

            // The commit that failed at the kill may or may not have been applied, but never in part.
            var failed = lastAttempt[w];
            var failedAgent = (await state.GetAsync<int>(AgentOf(w), Key(failed))).Exists;
            var failedGuild = (await state.GetAsync<int>(s_guild, GuildKey(w, failed))).Exists;
            Assert.True(failedAgent == failedGuild, $"Writer {w}'s interrupted commit {failed} was applied in part");

            // Nothing else appeared: the agent's keys are the acknowledged ones (plus that interrupted one).
            var expected = acknowledged[w].Select(Key).Concat(failedAgent ? [Key(failed)] : []).ToList();
            Assert.Equal(expected, await KeysAsync(state, AgentOf(w), string.Empty));
            Assert.Equal(expected.Count, guildKeys.Count(k => k.StartsWith(GuildKey(w, 0)[..^5], StringComparison.Ordinal)));
        }

        // Versions and fencing tokens continue from before the kill.
        Assert.Equal(2, await state.SetAsync(AgentOf(0), Key(1), -1, expectedVersion: 1));
        await using (var held = await state.AcquireLockAsync(s_guild, "lease", TimeSpan.FromMinutes(1), TimeSpan.Zero))
        {
            Assert.True(held.FencingToken > tokenBefore);
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{acknowledged.Sum(a => a.Count)} commits acknowledged; killed at {killedAt.TotalMilliseconds:F0} ms, writers stopped at " +
            $"{writersStoppedAt.TotalMilliseconds:F0} ms, outage checked at {outageCheckedAt.TotalMilliseconds:F0} ms, restarted at " +
            $"{restartedAt.TotalMilliseconds:F0} ms, first write after restart at {reconnectedAt.TotalMilliseconds:F0} ms, done at " +
            $"{clock.Elapsed.TotalMilliseconds:F0} ms."));
    }

    private static StateOwner AgentOf(int writer) => StateOwner.Agent(s_guild.GuildIdOrEmpty, $"writer-{writer}");

    private static string Key(int sequence) => $"n{sequence:D5}";

    private static string GuildKey(int writer, int sequence) => $"writer-{writer}/{Key(sequence)}";

    private static async Task DrainAsync<T>(IAsyncEnumerable<T> listing)
    {
        await foreach (var item in listing)
        {
            _ = item;
        }
    }
}
