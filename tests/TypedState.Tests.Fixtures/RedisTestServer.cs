using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace TypedState.Tests.Fixtures;

/// <summary>
/// A Redis server for tests. <see cref="GetSharedAsync"/> is one ephemeral <c>redis-server</c> per test run
/// (127.0.0.1, a free port, a temp dir, no persistence), or the server named by <c>TYPEDSTATE_TEST_REDIS</c>
/// (a StackExchange.Redis configuration string) when that is set. <see cref="StartAsync"/> starts a dedicated
/// one that a test may kill and restart on the same port and dir.
/// </summary>
/// <remarks>
/// Each server runs under a small <c>sh</c> guard holding the read end of a pipe from this process: when the test
/// run ends, normally or by a crash, the pipe closes and the guard SIGKILLs the server and deletes its temp dir, so no
/// <c>redis-server</c> or its dir outlives the run. Servers still running at exit are also stopped from
/// <see cref="AppDomain.ProcessExit"/>.
/// </remarks>
public sealed partial class RedisTestServer : IAsyncDisposable
{
    /// <summary>The environment variable naming a user's own server to test against instead of an ephemeral one.</summary>
    public const string ExternalServerVariable = "TYPEDSTATE_TEST_REDIS";

    // $1: the directory to delete when the test process goes ("" for none); $2: redis-server; then its arguments. The
    // watcher deletes the directory only when the pipe closes, not when a test kills the server to restart it.
    private const string GuardScript =
        """
        dir=$1; bin=$2; shift 2
        exec 3<&0
        "$bin" "$@" </dev/null >/dev/null 2>&1 &
        p=$!
        echo "$p"
        ( read _ <&3; kill -9 "$p" 2>/dev/null; [ -n "$dir" ] && rm -rf "$dir" ) &
        w=$!
        exec 3<&- 0</dev/null
        wait "$p"
        s=$?
        kill "$w" 2>/dev/null
        exit "$s"
        """;

    private static readonly Lazy<Task<RedisTestServer>> s_shared = new(StartSharedAsync);
    private static readonly List<RedisTestServer> s_running = [];
    private static int s_prefixCounter;

    private readonly string[] _serverArguments;
    private readonly bool _ownsDirectory;
    private Process? _guard;
    private int _serverPid;
    private readonly Lock _connectGate = new();
    private ConnectionMultiplexer? _connection;

    static RedisTestServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllAtExit();

    private RedisTestServer(string configuration, int port, string? directory, string[] serverArguments, bool ownsDirectory)
    {
        Configuration = configuration;
        Port = port;
        Directory = directory;
        _serverArguments = serverArguments;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>A StackExchange.Redis configuration string reaching the server.</summary>
    public string Configuration { get; }

    /// <summary>The port of an ephemeral server; 0 for an external one.</summary>
    public int Port { get; }

    /// <summary>The data folder of an ephemeral server; null for an external one.</summary>
    public string? Directory { get; }

    /// <summary>Whether this is the user's own server from <see cref="ExternalServerVariable"/>.</summary>
    public bool IsExternal => Port == 0;

    /// <summary>A connection shared by the tests using this server (opened on first use, closed at dispose).</summary>
    public IConnectionMultiplexer Connection
    {
        get
        {
            lock (_connectGate)
            {
                return _connection ??= ConnectionMultiplexer.Connect(Configuration + ",abortConnect=false,allowAdmin=true");
            }
        }
    }

    /// <summary>The server shared by the whole test run.</summary>
    public static Task<RedisTestServer> GetSharedAsync() => s_shared.Value;

    /// <summary>A key prefix no other test of this run (or an earlier run on an external server) uses.</summary>
    public static string NewKeyPrefix(string purpose) =>
        string.Create(CultureInfo.InvariantCulture, $"ts-{purpose}-{Interlocked.Increment(ref s_prefixCounter)}-{Guid.NewGuid():N}");

    /// <summary>
    /// Starts a dedicated server on a free port with its own temp dir.
    /// <paramref name="durable"/> turns on the append-only file with an fsync per write;
    /// <paramref name="extraArguments"/> are passed to redis-server after the others (e.g. <c>--maxmemory-policy</c>).
    /// </summary>
    public static async Task<RedisTestServer> StartAsync(bool durable, params string[] extraArguments)
    {
        var directory = Path.Combine(Path.GetTempPath(), "typedstate-tests", "redis-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var port = LocalServer.FreePort();
        string[] arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", directory,
            "--logfile", Path.Combine(directory, "redis.log"),
            "--save", string.Empty,
            .. durable ? (string[])["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"],
            .. extraArguments,
        ];
        var server = new RedisTestServer($"127.0.0.1:{port}", port, directory, arguments, ownsDirectory: true);
        try
        {
            await server.StartProcessAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Kills the server with SIGKILL (no shutdown, no final write) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        var guard = _guard ?? throw new InvalidOperationException("The server is not running.");
        try
        {
            using var server = Process.GetProcessById(_serverPid);
            server.Kill();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }

        await guard.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        ForgetProcess();
    }

    /// <summary>Starts the server again on the same port with the same dir (and so the same data files).</summary>
    public Task RestartAsync()
    {
        if (_guard is not null)
        {
            throw new InvalidOperationException("The server is still running.");
        }

        return StartProcessAsync();
    }

    /// <summary>Deletes every key of the given prefixes (only needed on an external server, which outlives the run).</summary>
    public async Task DeletePrefixesAsync(IEnumerable<string> keyPrefixes)
    {
        if (!IsExternal)
        {
            return;
        }

        var database = Connection.GetDatabase();
        foreach (var server in Connection.GetServers())
        {
            foreach (var prefix in keyPrefixes)
            {
                // Test prefixes hold only letters, digits and '-': the pattern matches the store root {p}: and guild roots {p|…}:.
                await foreach (var key in server.KeysAsync(database.Database, $"{{{prefix}[|}}]*", pageSize: 500))
                {
                    await database.KeyDeleteAsync(key);
                }
            }
        }
    }

    /// <summary>Stops the server (if this test started it) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }

        if (_guard is not null)
        {
            await KillAsync();
        }

        if (_ownsDirectory && Directory is not null)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<RedisTestServer> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(ExternalServerVariable) is { Length: > 0 } external)
        {
            return new RedisTestServer(external, 0, null, [], ownsDirectory: false);
        }

        return await StartAsync(durable: false);
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(GuardScript);
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(_ownsDirectory && Directory is not null ? Directory : string.Empty);
        start.ArgumentList.Add(FindServerBinary());
        foreach (var argument in _serverArguments)
        {
            start.ArgumentList.Add(argument);
        }

        var guard = Process.Start(start) ?? throw new InvalidOperationException("Could not start /bin/sh to run redis-server.");
        var pidLine = await guard.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _serverPid = int.Parse(pidLine ?? throw new InvalidOperationException("The redis-server guard printed no pid."), CultureInfo.InvariantCulture);
        _guard = guard;
        lock (s_running)
        {
            s_running.Add(this);
        }

        var waited = Stopwatch.StartNew();
        if (!await LocalServer.WaitForRedisAsync(Port, guard, TimeSpan.FromSeconds(20)))
        {
            var log = ReadLog();
            await DisposeAsync();
            throw new InvalidOperationException(
                $"redis-server on port {Port} did not answer PING within {waited.Elapsed.TotalSeconds:0.0} s " +
                $"(exited: {guard.HasExited}). Its log:\n{log}");
        }
    }

    private string ReadLog()
    {
        try
        {
            return Directory is null ? string.Empty : File.ReadAllText(Path.Combine(Directory, "redis.log"));
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    private void ForgetProcess()
    {
        _guard?.Dispose();
        _guard = null;
        lock (s_running)
        {
            s_running.Remove(this);
        }
    }

    private static void StopAllAtExit()
    {
        RedisTestServer[] servers;
        lock (s_running)
        {
            servers = [.. s_running];
        }

        foreach (var server in servers)
        {
            try
            {
                using var process = Process.GetProcessById(server._serverPid);
                process.Kill();
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }

            if (server._ownsDirectory && server.Directory is not null)
            {
                try
                {
                    System.IO.Directory.Delete(server.Directory, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static string FindServerBinary()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "The Redis tests need redis-server on PATH, and it was not found. Install it (Debian/Ubuntu: " +
            "`sudo apt-get install redis-server`; macOS: `brew install redis`), or set " + ExternalServerVariable +
            " to the configuration string of a Redis server to use, e.g. 127.0.0.1:6379.");
    }
}
