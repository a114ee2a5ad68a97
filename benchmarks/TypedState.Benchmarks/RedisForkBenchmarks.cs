using System.Diagnostics;
using System.Globalization;
using System.Text;
using TypedState.Redis;
using TypedState.Storage;

namespace TypedState.Benchmarks;

/// <summary>
/// What a fork costs on Redis, whose forks are materialised (copied): a guild holding 100,000 records and 100,000
/// entries against one holding 100 of each, on an ephemeral redis-server. Each round forks the small guild, then the
/// large one, at their heads; the report gives each side's median, the spread, and the ratio.
/// Usage: <c>redis-fork [--rounds 5] [--records 100000]</c>.
/// </summary>
public static class RedisForkBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Option(args, "--rounds", 5);
        var large = Option(args, "--records", 100_000);
        using var redis = await EphemeralRedis.StartAsync();
        await using var driver = new RedisStateDriver(new RedisStateDriverOptions { Configuration = redis.Configuration, KeyPrefix = "fork-bench" });
        var fill = Stopwatch.StartNew();
        await FillAsync(driver, "small", 100);
        await FillAsync(driver, "large", large);
        Console.WriteLine($"Filled guilds of 100 and {large:N0} records (one entry each) in {fill.Elapsed.TotalSeconds:F1} s; {rounds} rounds, {Environment.ProcessorCount} CPUs");

        var small = new List<double>();
        var big = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            small.Add(await ForkAsync(driver, "small", 100, round));
            big.Add(await ForkAsync(driver, "large", large, round));
        }

        var ratios = big.Zip(small, static (b, s) => b / s).ToList();
        Console.WriteLine("| Fork of | median | min–max |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| 100 records, 100 entries | {Median(small):F2} ms | {small.Min():F2}–{small.Max():F2} ms |");
        Console.WriteLine($"| {large:N0} records, {large:N0} entries | {Median(big):F1} ms | {big.Min():F1}–{big.Max():F1} ms |");
        Console.WriteLine($"| ratio (same round) | {Median(ratios):F0}× | {ratios.Min():F0}–{ratios.Max():F0}× |");
        Console.WriteLine($"Large fork: {large / Median(big) * 1000:N0} records copied per second");
        return 0;
    }

    /// <summary>Forks the guild at its head, checks one copied record, and returns the time taken in milliseconds.</summary>
    private static async Task<double> ForkAsync(RedisStateDriver driver, string guild, int records, int round)
    {
        var target = $"{guild}-fork-{round}";
        var clock = Stopwatch.StartNew();
        var fork = await driver.ForkAsync(guild, records, target, CancellationToken.None);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        var copied = await driver.ReadAsync(StateOwner.Agent(target, "agent-9"), "key-" + (records - 1).ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        if (fork.Head != records || copied is null)
        {
            throw new InvalidOperationException($"The fork of '{guild}' is not a copy of it (head {fork.Head}).");
        }

        return elapsed;
    }

    /// <summary>A logged guild of <paramref name="records"/> records over its guild scope and 9 agents, set in batches of 100.</summary>
    private static async Task FillAsync(RedisStateDriver driver, string guild, int records)
    {
        await driver.StartTimelineAsync(guild, CancellationToken.None);
        var value = Encoding.UTF8.GetBytes("{\"text\":\"a record of about sixty bytes, as a small agent note\"}");
        for (var start = 0; start < records; start += 100)
        {
            var writes = new List<StateWrite>();
            for (var i = start; i < Math.Min(records, start + 100); i++)
            {
                var owner = i % 10 == 0 ? StateOwner.Guild(guild) : StateOwner.Agent(guild, "agent-" + (i % 10).ToString(CultureInfo.InvariantCulture));
                writes.Add(new StateWrite(owner, "key-" + i.ToString(CultureInfo.InvariantCulture), StateWriteKind.Set, value, null));
            }

            var result = await driver.CommitAsync(writes, [], CommitId.None, CancellationToken.None);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException("Filling the guild failed.");
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
