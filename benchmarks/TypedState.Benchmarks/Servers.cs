using System.Diagnostics;
using Npgsql;
using TypedState.Tests.Fixtures;

namespace TypedState.Benchmarks;

/// <summary>
/// Ephemeral database servers for the benchmarks: each on 127.0.0.1, a free port and a fresh temp directory, stopped
/// and deleted on dispose. PostgreSQL runs as the <c>postgres</c> user (initdb and postgres refuse root). The free port
/// and Redis's readiness come from the test fixtures' <see cref="LocalServer"/> (a linked file).
/// </summary>
public static class Servers
{
    internal static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {arguments}' exited with {process.ExitCode}: {stdout.Result} {stderr.Result}");
        }
    }
}

/// <summary><c>redis-server</c> without persistence on a free port; stopped (killed) on dispose.</summary>
public sealed class EphemeralRedis : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private EphemeralRedis(string extraArguments)
    {
        Port = LocalServer.FreePort();
        _directory = Directory.CreateTempSubdirectory("typedstate-bench-redis-").FullName;
        _process = Process.Start(new ProcessStartInfo(
            "redis-server",
            $"--port {Port} --bind 127.0.0.1 --dir {_directory} --save '' --appendonly no {extraArguments}")
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
    }

    /// <summary>Starts the server (with <paramref name="extraArguments"/>) and returns once it answers PING, as the tests' servers do.</summary>
    public static async Task<EphemeralRedis> StartAsync(string extraArguments = "")
    {
        var redis = new EphemeralRedis(extraArguments);
        if (!await LocalServer.WaitForRedisAsync(redis.Port, redis._process, TimeSpan.FromSeconds(10)))
        {
            var exited = redis._process.HasExited;
            redis.Dispose();
            throw new InvalidOperationException($"redis-server on port {redis.Port} did not answer PING within 10 s (exited: {exited}).");
        }

        return redis;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// PostgreSQL 15 (initdb + pg_ctl as the postgres user) on a free port with a database <c>bench</c>. fsync and
/// synchronous_commit are off: the benchmarks compare CPU and round-trip costs, not the disk.
/// </summary>
public sealed class EphemeralPostgres : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin/";
    private readonly string _directory;

    /// <summary>Starts the server; <paramref name="settings"/> are extra <c>-c name=value</c> settings (e.g. to load pg_stat_statements).</summary>
    public EphemeralPostgres(params string[] settings)
    {
        Port = LocalServer.FreePort();
        _directory = Directory.CreateTempSubdirectory("typedstate-bench-pg-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "sock"));
        Servers.Run("chown", $"-R postgres:postgres {_directory}");
        Servers.Run("runuser", $"-u postgres -- {Bin}initdb -D {_directory}/data -A trust -U postgres -E UTF8 --no-sync");
        Servers.Run("runuser", $"-u postgres -- {Bin}pg_ctl -D {_directory}/data -l {_directory}/log -w -o \"-p {Port} -k {_directory}/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=100{string.Concat(settings.Select(setting => " -c " + setting))}\" start");
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");
        connection.Open();
        using var command = new NpgsqlCommand("CREATE DATABASE bench", connection);
        command.ExecuteNonQuery();
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=bench";

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            Servers.Run("runuser", $"-u postgres -- {Bin}pg_ctl -D {_directory}/data -m fast -w stop");
        }
        catch (InvalidOperationException)
        {
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
