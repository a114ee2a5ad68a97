using TypedState.Redis;
using Xunit.Abstractions;

namespace TypedState.Tests.Redis;

/// <summary>
/// The timeline crash check (<see cref="TimelineCrashCheck"/>) on Redis: a writer killed five times while it commits
/// logged transactions under one key prefix; after each kill the log and the state agree.
/// </summary>
public sealed class RedisTimelineCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_a_writer_five_times_keeps_the_log_and_the_state_in_agreement_with_every_reported_commit()
    {
        await using var drivers = await RedisTestDrivers.StartAsync("timeline-crash");
        var configuration = drivers.Server.Configuration;
        var prefix = drivers.NewPrefix();
        await TimelineCrashCheck.KillFiveTimesAsync($"redis|{configuration}|{prefix}", () => new RedisStateManager(configuration, prefix), output);
    }
}
