using System.Diagnostics;
using StackExchange.Redis;
using TypedState.Redis;

namespace TypedState.Benchmarks;

/// <summary>
/// <c>redis-cluster</c>: throughput of 32 callers, each setting a record of a guild after another over 300 guilds, on
/// one <c>redis-server</c> and on a three-master Redis Cluster (three <c>redis-server --cluster-enabled yes</c>, no
/// replicas, joined by <c>redis-cli --cluster create</c>) on the same machine, alternating rounds so that machine noise
/// hits both alike. Prints sets a second per round and the cluster's ratio to the single server.
/// Options: <c>--rounds N</c> (default 3), <c>--seconds S</c> per round (default 3).
/// </summary>
public static class RedisClusterBenchmarks
{
    private const int Callers = 32;
    private const int Guilds = 300;

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Option(args, "--rounds", 3);
        var seconds = Option(args, "--seconds", 3);
        using var single = await EphemeralRedis.StartAsync();
        var masters = new List<EphemeralRedis>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                masters.Add(await EphemeralRedis.StartAsync("--cluster-enabled yes --cluster-config-file nodes.conf"));
            }

            Servers.Run("redis-cli", $"--cluster create {string.Join(' ', masters.Select(static m => m.Configuration))} --cluster-replicas 0 --cluster-yes");
            await WaitUntilOkAsync(masters);
            await using var onOne = new RedisStateManager(new RedisStateDriverOptions { Configuration = single.Configuration, KeyPrefix = "bench" });
            await using var onCluster = new RedisStateManager(new RedisStateDriverOptions { Configuration = string.Join(',', masters.Select(static m => m.Configuration)), KeyPrefix = "bench" });
            await MeasureAsync(onOne, 1);
            await MeasureAsync(onCluster, 1);
            Console.WriteLine($"{Callers} callers over {Guilds} guilds, {seconds} s per round; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
            var ratios = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var one = await MeasureAsync(onOne, seconds);
                var cluster = await MeasureAsync(onCluster, seconds);
                ratios.Add(cluster / one);
                Console.WriteLine($"round {round}: one server {one:N0} sets/s, cluster {cluster:N0} sets/s, ratio {cluster / one:F2} (load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            }

            Console.WriteLine($"cluster / one server: {ratios.Min():F2}–{ratios.Max():F2}");
            return 0;
        }
        finally
        {
            foreach (var master in masters)
            {
                master.Dispose();
            }
        }
    }

    /// <summary>Sets a second by all callers over <paramref name="seconds"/>.</summary>
    private static async Task<double> MeasureAsync(RedisStateManager state, int seconds)
    {
        var clock = Stopwatch.StartNew();
        var stop = TimeSpan.FromSeconds(seconds);
        var counts = await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var done = 0L;
            for (var i = caller; clock.Elapsed < stop; i += Callers)
            {
                await state.SetAsync(StateOwner.Guild($"guild-{i % Guilds}"), $"caller-{caller}", i);
                done++;
            }

            return done;
        })));
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }

    private static async Task WaitUntilOkAsync(List<EphemeralRedis> masters)
    {
        var clock = Stopwatch.StartNew();
        foreach (var master in masters)
        {
            using var connection = await ConnectionMultiplexer.ConnectAsync(master.Configuration + ",allowAdmin=true");
            var server = connection.GetServer(master.Configuration);
            while (!((string)(await server.ExecuteAsync("CLUSTER", "INFO"))!).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("The benchmark's Redis Cluster was not ok within 60 s.");
                }

                // Polling the cluster's own state.
                await Task.Delay(20);
            }
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
