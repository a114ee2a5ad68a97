using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace TypedState.Tests.Fixtures;

/// <summary>
/// A Redis Cluster for tests: three masters with one replica each, six <c>redis-server</c> processes started with
/// <c>--cluster-enabled yes</c> on free 127.0.0.1 ports in temp dirs (each a <see cref="RedisTestServer"/>, so none
/// outlives the run), joined by <c>redis-cli --cluster create … --cluster-replicas 1 --cluster-yes</c>, and ready once
/// every node's <c>CLUSTER INFO</c> says <c>cluster_state:ok</c> and knows all six nodes. <see cref="GetSharedAsync"/>
/// is one cluster per test run; tests that kill or move things start their own with <see cref="StartAsync"/>.
/// </summary>
public sealed class RedisTestCluster : IAsyncDisposable
{
    /// <summary>How long a node may be unreachable before the cluster fails it over (kept short for the tests).</summary>
    public const int NodeTimeoutMs = 1000;

    private static readonly Lazy<Task<RedisTestCluster>> s_shared = new(StartAsync);
    private ConnectionMultiplexer? _connection;

    private RedisTestCluster(IReadOnlyList<RedisTestServer> nodes) => Nodes = nodes;

    /// <summary>The six nodes, in the order given to <c>--cluster create</c> (the first three start as masters).</summary>
    public IReadOnlyList<RedisTestServer> Nodes { get; }

    /// <summary>A StackExchange.Redis configuration string naming every node.</summary>
    public string Configuration => string.Join(",", Nodes.Select(static n => n.Configuration));

    /// <summary>An admin connection to the cluster (opened by <see cref="StartAsync"/>).</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The cluster is not connected.");

    /// <summary>The cluster shared by the whole test run.</summary>
    public static Task<RedisTestCluster> GetSharedAsync() => s_shared.Value;

    /// <summary>Starts six nodes, creates the cluster and waits until it serves every slot.</summary>
    public static async Task<RedisTestCluster> StartAsync()
    {
        var starting = Enumerable.Range(0, 6).Select(static _ => RedisTestServer.StartAsync(
            durable: false,
            "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", NodeTimeoutMs.ToString(CultureInfo.InvariantCulture),
            // A replica whose link to its master has been idle (no writes for a while) would otherwise refuse to stand
            // for election after the master dies ("disconnected from master for longer than allowed").
            "--cluster-replica-validity-factor", "0")).ToList();
        var cluster = new RedisTestCluster(await Task.WhenAll(starting));
        try
        {
            await RunCliAsync(["--cluster", "create", .. cluster.Nodes.Select(static n => n.Configuration), "--cluster-replicas", "1", "--cluster-yes"]);
            await cluster.WaitUntilOkAsync(TimeSpan.FromSeconds(60));
            cluster._connection = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration + ",allowAdmin=true,abortConnect=false");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Polls <c>CLUSTER INFO</c> and <c>CLUSTER NODES</c> on each of <paramref name="nodes"/> (default: all) until every one says
    /// <c>cluster_state:ok</c> and sees three masters serving all 16384 slots; throws with the last answers when
    /// <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task WaitUntilOkAsync(TimeSpan timeout, IEnumerable<RedisTestServer>? nodes = null)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        var watched = (nodes ?? Nodes).ToList();
        while (true)
        {
            var ready = true;
            foreach (var node in watched)
            {
                (var ok, last) = await IsOkAsync(node);
                ready &= ok;
            }

            if (ready)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The Redis cluster was not ok within {timeout.TotalSeconds:0} s. Last answer:\n{last}");
            }

            // Polling a condition: the next look comes as soon as the last answered, a few milliseconds apart.
            await Task.Delay(20);
        }
    }

    /// <summary>Runs <c>redis-cli</c> with <paramref name="arguments"/> and returns its output; throws when it fails.</summary>
    public static async Task<string> RunCliAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(FindCli())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-cli.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }

        return await output;
    }

    /// <summary>Stops every node and deletes their folders.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }

    private static async Task<(bool Ok, string Answer)> IsOkAsync(RedisTestServer node)
    {
        try
        {
            // Asked of this node itself: keyless commands on the cluster connection could go to any node.
            var server = node.Connection.GetServer(node.Configuration);
            var info = (string)(await server.ExecuteAsync("CLUSTER", "INFO"))!;
            var nodes = (string)(await server.ExecuteAsync("CLUSTER", "NODES"))!;
            var lines = nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var masters = lines.Count(static l => l.Contains("master", StringComparison.Ordinal) && !l.Contains("fail", StringComparison.Ordinal) && l.Split(' ').Length > 8);
            var ok = info.Contains("cluster_state:ok", StringComparison.Ordinal)
                && info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal)
                && lines.Length == 6
                && masters == 3;
            return (ok, $"{node.Configuration}:\n{info}\n{nodes}");
        }
        catch (RedisException ex)
        {
            return (false, $"{node.Configuration}: {ex.Message}");
        }
    }

    private static string FindCli()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "redis-cli");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("redis-cli was not found on PATH. Install Redis (Debian: apt-get install redis-server redis-tools) to run the cluster tests.");
    }
}
