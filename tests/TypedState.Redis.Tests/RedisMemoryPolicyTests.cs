using TypedState.Redis;

namespace TypedState.Tests.Redis;

/// <summary>
/// A server whose memory policy evicts keys would drop acknowledged records, their index entries and fencing
/// counters independently: the driver refuses it at connection, naming the policy, unless told it may.
/// </summary>
public sealed class RedisMemoryPolicyTests
{
    private static readonly StateOwner s_guild = StateOwner.Guild("policy-guild");

    [Fact]
    public async Task A_server_that_evicts_keys_is_refused_naming_its_policy_even_with_CONFIG_disabled()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false, "--maxmemory-policy", "allkeys-lru", "--rename-command", "CONFIG", string.Empty);
        await using var state = new RedisStateManager(server.Configuration, RedisTestServer.NewKeyPrefix("policy"));

        var write = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(s_guild, "k", 1));
        var read = await Assert.ThrowsAsync<StateDriverException>(async () => await state.GetAsync<int>(s_guild, "k"));

        Assert.Equal(StateWriteOutcome.NotApplied, write.Outcome);
        var refusal = Assert.IsType<RedisMemoryPolicyException>(write.InnerException);
        Assert.Equal("allkeys-lru", refusal.MaxMemoryPolicy);
        Assert.Contains("allkeys-lru", write.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(RedisStateDriverOptions.AllowEvictingMemoryPolicy), write.Message, StringComparison.Ordinal);
        Assert.IsType<RedisMemoryPolicyException>(read.InnerException);
        Assert.Equal(0L, (long)await server.Connection.GetDatabase().ExecuteAsync("DBSIZE"));
    }

    [Fact]
    public async Task A_server_that_evicts_keys_is_used_when_the_application_allows_it()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false, "--maxmemory-policy", "volatile-lru");
        await using var state = new RedisStateManager(new RedisStateDriverOptions
        {
            Configuration = server.Configuration,
            KeyPrefix = RedisTestServer.NewKeyPrefix("policy"),
            AllowEvictingMemoryPolicy = true,
        });

        await state.SetAsync(s_guild, "k", 1);

        Assert.Equal(1, (await state.GetAsync<int>(s_guild, "k")).Value);
    }

    [Fact]
    public async Task A_policy_changed_to_evicting_is_refused_once_the_driver_reconnects()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        await using var state = new RedisStateManager(server.Configuration, RedisTestServer.NewKeyPrefix("policy"));
        await state.SetAsync(s_guild, "k", 1);
        var admin = server.Connection.GetDatabase();

        await admin.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
        await admin.ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");

        // Bounded: operations may meet the broken connection, or run before the driver hears it was restored.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await state.GetAsync<int>(s_guild, "k");
            }
            catch (StateDriverException error) when (error.InnerException is RedisMemoryPolicyException refusal)
            {
                Assert.Equal("allkeys-random", refusal.MaxMemoryPolicy);
                return;
            }
            catch (StateDriverException error) when (DateTimeOffset.UtcNow < deadline)
            {
                Assert.IsAssignableFrom<StackExchange.Redis.RedisException>(error.InnerException);
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The driver still uses the server after it reconnected");
            await Task.Delay(10);
        }
    }
}
