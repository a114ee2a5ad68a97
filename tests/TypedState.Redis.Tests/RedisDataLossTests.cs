using TypedState.Redis;

namespace TypedState.Tests.Redis;

/// <summary>
/// A dedicated server is restarted without persistence (losing every key) or from an older snapshot (losing the last
/// commits, as a failover to a lagging replica would), while clients keep what they learned before: a fencing token
/// and record versions. Tokens granted afterwards must outrank the old holder's, and a version read before the loss
/// must never match a record rebuilt after it.
/// </summary>
public sealed class RedisDataLossTests
{
    private static readonly StateOwner s_guild = StateOwner.Guild("loss-guild");

    [Fact]
    public async Task A_lock_granted_after_the_server_lost_its_data_outranks_the_old_holder_who_is_fenced_out()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        var prefix = RedisTestServer.NewKeyPrefix("loss");
        await using var holderA = new RedisStateManager(server.Configuration, prefix);

        // A takes the lock ten times, as a busy owner would; it keeps the tenth grant.
        IStateLock? held = null;
        for (var i = 0; i < 10; i++)
        {
            if (held is not null)
            {
                await held.DisposeAsync();
            }

            held = await holderA.AcquireLockAsync(s_guild, "job", TimeSpan.FromMinutes(5), TimeSpan.Zero);
        }

        await using var a = held!;
        await a.State.SetAsync(s_guild, "job", "A's start");

        await server.KillAsync();
        await server.RestartAsync();
        await WhenReconnectedAsync(holderA);

        // B connects after the restart and takes the lock, which the empty server no longer shows as held.
        await using var holderB = new RedisStateManager(server.Configuration, prefix);
        await using var b = await holderB.AcquireLockAsync(s_guild, "job", TimeSpan.FromMinutes(5), TimeSpan.Zero);
        Assert.True(b.FencingToken > a.FencingToken, $"B's token {b.FencingToken} after the restart is not above A's {a.FencingToken}");
        await b.State.SetAsync(s_guild, "job", "B's result");

        // A's fenced writes never land over B's, whichever error the first one meets.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var refused = await Assert.ThrowsAnyAsync<StateException>(async () => await a.State.SetAsync(s_guild, "job", "A's late result"));
            Assert.Equal(StateWriteOutcome.NotApplied, refused.Outcome);
        }

        var fenced = await Assert.ThrowsAsync<StateLockException>(async () => await a.State.SetAsync(s_guild, "job", "A's late result"));
        Assert.Equal(StateLockFailure.FencedOut, fenced.Failure);
        Assert.Equal("B's result", (await holderB.GetAsync<string>(s_guild, "job")).Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_version_read_before_the_server_lost_data_never_matches_a_record_rebuilt_after_it(bool fromOlderSnapshot)
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        var prefix = RedisTestServer.NewKeyPrefix("loss");
        await using var reader = new RedisStateManager(server.Configuration, prefix);
        await using var rebuilder = new RedisStateManager(server.Configuration, prefix);
        var agent = StateOwner.Agent(s_guild.GuildIdOrEmpty, "a");

        // Both clients know the store; the reader keeps version 5 of two records. The snapshot, if any, has version 3.
        for (var i = 1; i <= 5; i++)
        {
            await rebuilder.SetAsync(s_guild, "plan", $"plan {i}");
            await rebuilder.SetAsync(agent, "notes", $"notes {i}");
            if (fromOlderSnapshot && i == 3)
            {
                await server.Connection.GetDatabase().ExecuteAsync("SAVE");
            }
        }

        var stalePlan = await reader.GetAsync<string>(s_guild, "plan");
        var staleNotes = await reader.GetAsync<string>(agent, "notes");
        Assert.Equal((5L, 5L), (stalePlan.Version, staleNotes.Version));

        await server.KillAsync();
        await server.RestartAsync();
        await WhenReconnectedAsync(reader);
        await WhenReconnectedAsync(rebuilder);

        // The rebuilder writes again from scratch; its first write after the loss learns of it and applies nothing.
        var first = await Assert.ThrowsAsync<StateDriverException>(async () => await rebuilder.SetAsync(s_guild, "plan", "rebuilt 1"));
        Assert.Equal(StateWriteOutcome.NotApplied, first.Outcome);
        Assert.IsType<RedisDataLossException>(first.InnerException);
        Assert.Equal(fromOlderSnapshot ? "plan 3" : null, (await rebuilder.GetAsync<string>(s_guild, "plan")).Value);
        for (var i = 1; i <= 5; i++)
        {
            await rebuilder.SetAsync(s_guild, "plan", $"rebuilt {i}");
            await rebuilder.SetAsync(agent, "notes", $"rebuilt {i}");
        }

        // The versions read before the loss match neither rebuilt record, whatever error the reader meets first.
        foreach (var (owner, key, stale) in new[] { (s_guild, "plan", stalePlan.Version), (agent, "notes", staleNotes.Version) })
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var refused = await Assert.ThrowsAnyAsync<StateException>(async () => await reader.SetAsync(owner, key, "stale overwrite", stale));
                Assert.Equal(StateWriteOutcome.NotApplied, refused.Outcome);
            }

            Assert.Equal("rebuilt 5", (await reader.GetAsync<string>(owner, key)).Value);
        }

        var conflict = await Assert.ThrowsAsync<StateConflictException>(async () => await reader.SetAsync(s_guild, "plan", "stale overwrite", stalePlan.Version));
        Assert.True(conflict.ActualVersion > stalePlan.Version);
    }

    /// <summary>Waits (bounded) until a manager's connection is back after the restart: a read succeeds.</summary>
    internal static async Task WhenReconnectedAsync(IStateManager state)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await state.GetAsync<string>(StateOwner.Global, "reconnected?");
                return;
            }
            catch (StateDriverException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
        }
    }
}
