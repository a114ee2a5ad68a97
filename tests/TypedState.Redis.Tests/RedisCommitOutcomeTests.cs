using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Tests.Redis;

/// <summary>
/// A commit whose answer is lost after it reached the server — the server frozen with SIGSTOP, the driver's
/// connection killed with <c>CLIENT KILL</c> — is reported as of unknown outcome, never as not applied, and the
/// manager's repeat under the same commit id applies one logical change exactly once.
/// </summary>
public sealed class RedisCommitOutcomeTests
{
    private static readonly StateOwner s_guild = StateOwner.Guild("outcome-guild");
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_write_sent_to_a_frozen_server_is_reported_as_of_unknown_outcome_and_is_applied_when_it_resumes()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        await using var state = CreateManager(server, new StateManagerOptions { CommitRecoveryTimeout = TimeSpan.Zero });
        await state.SetAsync(s_guild, "warm-up", 1);

        await server.FreezeAsync();
        StateDriverException error;
        try
        {
            error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(s_guild, "k", "sent while frozen")).WaitAsync(s_bound);
        }
        finally
        {
            await server.ThawAsync();
        }

        Assert.Equal(StateWriteOutcome.Unknown, error.Outcome);
        Assert.Contains("may or may not be stored", error.Message, StringComparison.Ordinal);
        Assert.Equal("k", error.Key);

        // The request sat in the server's socket buffer: the resumed server applies it, as "unknown" allowed.
        Assert.Equal("sent while frozen", await EventuallyAsync(state, s_guild, "k"));
    }

    [Fact]
    public async Task An_increment_sent_to_a_frozen_server_and_repeated_while_it_resumes_is_applied_exactly_once()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        var repeating = new LogEventSignal(7, "CommitOutcomeUnknown");
        await using var state = CreateManager(server, new StateManagerOptions { CommitRecoveryTimeout = s_bound }, repeating);
        await state.SetAsync(s_guild, "count", 0);

        // The server freezes between the update's read and its commit, so the commit is what waits unanswered.
        var failedAsNotApplied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var update = IncrementRetryingWhatIsNotAppliedAsync(state, server, failedAsNotApplied);
        try
        {
            // The manager repeats the commit under its id (or reports it not applied, when the driver claims so).
            await Task.WhenAny(repeating.Logged, failedAsNotApplied.Task, update).WaitAsync(s_bound);
        }
        finally
        {
            await server.ThawAsync();
        }

        var updated = await update.WaitAsync(s_bound);
        var stored = await state.GetAsync<int>(s_guild, "count");
        Assert.Equal(1, updated);
        Assert.Equal((1, 2L), (stored.Value, stored.Version));
        Assert.True(repeating.Logged.IsCompleted, "The manager did not repeat the commit whose answer was lost");
    }

    [Fact]
    public async Task An_increment_whose_connection_is_killed_after_it_was_sent_is_repeated_and_applied_exactly_once()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false);
        var admin = server.Connection.GetDatabase();
        var repeating = new LogEventSignal(7, "CommitOutcomeUnknown");
        await using var state = CreateManager(server, new StateManagerOptions { CommitRecoveryTimeout = s_bound }, repeating);
        await state.SetAsync(s_guild, "count", 0);

        // Between the update's read and its commit, pause every writing client: the commit reaches the server and waits.
        var paused = 0;
        var update = state.UpdateAsync<int>(s_guild, "count", n =>
        {
            if (Interlocked.Exchange(ref paused, 1) == 0)
            {
                admin.Execute("CLIENT", "PAUSE", "60000", "WRITE");
            }

            return n + 1;
        }).AsTask();
        try
        {
            var client = await WaitingScriptClientAsync(admin, update);
            Assert.Equal(1L, (long)await admin.ExecuteAsync("CLIENT", "KILL", "ID", client));
            await Task.WhenAny(repeating.Logged, update).WaitAsync(s_bound);
        }
        finally
        {
            await admin.ExecuteAsync("CLIENT", "UNPAUSE");
        }

        var updated = await update.WaitAsync(s_bound);
        var stored = await state.GetAsync<int>(s_guild, "count");
        Assert.Equal(1, updated.Value);
        Assert.Equal((1, 2L), (stored.Value, stored.Version));
    }

    [Fact]
    public async Task A_commit_the_server_refuses_while_busy_with_another_script_is_reported_as_not_applied()
    {
        await using var server = await RedisTestServer.StartAsync(durable: false, "--busy-reply-threshold", "100");
        await using var state = CreateManager(server, new StateManagerOptions { CommitRecoveryTimeout = TimeSpan.Zero });
        await state.SetAsync(s_guild, "warm-up", 1);
        var admin = server.Connection.GetDatabase();

        // Another client's script never ends: past the threshold, the server answers BUSY without running anything.
        await using var other = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",asyncTimeout=60000");
        var endless = other.GetDatabase().ExecuteAsync("EVAL", "while true do end", "0");
        StateDriverException error;
        try
        {
            await BusyAsync(admin);
            error = await Assert.ThrowsAsync<StateDriverException>(async () => await state.SetAsync(s_guild, "k", "refused"));
        }
        finally
        {
            await admin.ExecuteAsync("SCRIPT", "KILL");
            await Assert.ThrowsAsync<RedisServerException>(() => endless).WaitAsync(s_bound);
        }

        Assert.Equal(StateWriteOutcome.NotApplied, error.Outcome);
        Assert.StartsWith("BUSY", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.False((await state.GetAsync<string>(s_guild, "k")).Exists);
    }

    private static RedisStateManager CreateManager(RedisTestServer server, StateManagerOptions options, LogEventSignal? logs = null) =>
        new(
            new RedisStateDriverOptions
            {
                // Short client timeouts, so an answer is declared lost within a second or two.
                Configuration = server.Configuration + ",asyncTimeout=500,syncTimeout=500,connectTimeout=2000",
                KeyPrefix = RedisTestServer.NewKeyPrefix("outcome"),
            },
            options,
            logs);

    /// <summary>
    /// An increment as a careful caller writes it: repeated only when the error says nothing was stored (and then
    /// <paramref name="failedAsNotApplied"/> is completed, so the test can go on). Its first update freezes the
    /// server once the value is read, before the commit is sent.
    /// </summary>
    private static async Task<int> IncrementRetryingWhatIsNotAppliedAsync(IStateManager state, RedisTestServer server, TaskCompletionSource failedAsNotApplied)
    {
        var frozen = 0;
        while (true)
        {
            try
            {
                return (await state.UpdateAsync<int>(s_guild, "count", n =>
                {
                    if (Interlocked.Exchange(ref frozen, 1) == 0)
                    {
                        server.FreezeAsync().GetAwaiter().GetResult();
                    }

                    return n + 1;
                })).Value;
            }
            catch (StateDriverException error) when (error.Outcome == StateWriteOutcome.NotApplied)
            {
                failedAsNotApplied.TrySetResult();
            }
        }
    }

    /// <summary>The id of the client blocked on a script by the pause: the driver's commit (bounded wait).</summary>
    private static async Task<long> WaitingScriptClientAsync(IDatabase admin, Task update)
    {
        var deadline = DateTimeOffset.UtcNow + s_bound;
        while (DateTimeOffset.UtcNow < deadline && !update.IsCompleted)
        {
            var clients = (string)(await admin.ExecuteAsync("CLIENT", "LIST"))!;
            foreach (var line in clients.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
                if (fields["flags"].Contains('b', StringComparison.Ordinal) && fields["cmd"] is "evalsha" or "eval")
                {
                    return long.Parse(fields["id"], System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            await Task.Delay(5);
        }

        await update;
        throw new InvalidOperationException("The update's commit never waited on the paused server.");
    }

    /// <summary>Waits (bounded) until the server answers BUSY.</summary>
    private static async Task BusyAsync(IDatabase admin)
    {
        var deadline = DateTimeOffset.UtcNow + s_bound;
        while (true)
        {
            try
            {
                await admin.PingAsync();
            }
            catch (RedisServerException busy) when (busy.Message.StartsWith("BUSY", StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The server never became busy");
            await Task.Delay(5);
        }
    }

    /// <summary>The value of a record once it is there (bounded wait: the resumed server works through its backlog).</summary>
    private static async Task<string?> EventuallyAsync(IStateManager state, StateOwner owner, string key)
    {
        var deadline = DateTimeOffset.UtcNow + s_bound;
        while (true)
        {
            var entry = await state.GetAsync<string>(owner, key);
            if (entry.Exists || DateTimeOffset.UtcNow > deadline)
            {
                return entry.Value;
            }

            await Task.Delay(10);
        }
    }
}
