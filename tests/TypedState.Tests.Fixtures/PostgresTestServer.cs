using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace TypedState.Tests.Fixtures;

/// <summary>
/// The PostgreSQL server of a test run: <see cref="GetSharedAsync"/> starts one ephemeral PostgreSQL 15 cluster
/// (initdb into a temp dir, 127.0.0.1 on a free port, fsync off) with a test database, once per run; or, when
/// <c>TYPEDSTATE_TEST_POSTGRES</c> holds a connection string, uses that server instead. Tests isolate themselves
/// with a fresh schema each (<see cref="NewSchemaName"/>), dropped when they end.
/// </summary>
/// <remarks>
/// The test database uses an ICU en-US default collation, which orders '_', case and accents unlike code point
/// order, so a driver that forgot its "C" collation fails the ordering tests. The cluster is stopped at process
/// exit; if the test process dies without running its exit handlers, a small guard process that holds the read end
/// of a pipe from this process sees the pipe close and stops the cluster, so no postgres outlives the run.
/// </remarks>
public sealed class PostgresTestServer
{
    /// <summary>The environment variable naming a user's own server (an Npgsql connection string) to test against.</summary>
    public const string ExternalServerVariable = "TYPEDSTATE_TEST_POSTGRES";

    private const string BinariesDirectory = "/usr/lib/postgresql/15/bin";

    private const string DatabaseName = "typedstate_tests";

    /// <summary>
    /// Run by <c>sh -c</c> with the data directory and the stop command as arguments: waits until this process closes
    /// its end of the pipe (or dies), then stops the cluster and deletes its directory.
    /// </summary>
    private const string GuardScript = """dir=$1; shift; read -r _ || true; "$@" >/dev/null 2>&1; rm -rf "$dir" """;

    private static readonly Lazy<Task<PostgresTestServer>> s_shared = new(StartSharedAsync);
    private static int s_schemaCounter;
    private Process? _guard;

    private PostgresTestServer(string connectionString, bool isExternal)
    {
        ConnectionString = connectionString;
        IsExternal = isExternal;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>An Npgsql connection string reaching the test database.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether this is the user's own server from <see cref="ExternalServerVariable"/>.</summary>
    public bool IsExternal { get; }

    /// <summary>A pooled data source shared by the tests of this run (never disposed before the process ends).</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The server of this test run, started on first use.</summary>
    public static Task<PostgresTestServer> GetSharedAsync() => s_shared.Value;

    /// <summary>A schema name no other test of this run (or an earlier run on an external server) uses.</summary>
    public static string NewSchemaName(string purpose) =>
        string.Create(CultureInfo.InvariantCulture, $"ts_{purpose}_{Interlocked.Increment(ref s_schemaCounter)}_{Guid.NewGuid():N}");

    /// <summary>A connection string to the test database with its own application name, to find its backends in pg_stat_activity.</summary>
    public string ConnectionStringWith(string applicationName, bool pooling = true) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName, Pooling = pooling }.ToString();

    /// <summary>Drops schemas with everything in them.</summary>
    public async Task DropSchemasAsync(IEnumerable<string> schemas)
    {
        var names = schemas.Select(s => "\"" + s + "\"").ToList();
        if (names.Count > 0)
        {
            await ExecuteAsync($"DROP SCHEMA IF EXISTS {string.Join(", ", names)} CASCADE");
        }
    }

    /// <summary>Runs a statement on the test database.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of a query on the test database (null when no row).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    /// <summary>The pid of the one backend of <paramref name="application"/> matching <paramref name="condition"/>, polled for up to 30 s.</summary>
    public async Task<int> WaitForBackendAsync(string application, string condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await ScalarAsync($"SELECT pid FROM pg_stat_activity WHERE application_name = '{application}' AND {condition}") is int pid)
            {
                return pid;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"No backend of '{application}' with {condition} appeared within 30 s.");
    }

    /// <summary>
    /// Starts a cluster of its own, like the shared one, for a test that stops it (<see cref="StopAsync"/>); it is
    /// stopped at process exit at the latest. Needs the server binaries even when an external server is configured.
    /// </summary>
    public static Task<PostgresTestServer> StartPrivateAsync() => StartClusterAsync();

    /// <summary>Stops this cluster now (immediate shutdown) and deletes its directory; connections to it fail from then on.</summary>
    public Task StopAsync()
    {
        if (IsExternal)
        {
            throw new InvalidOperationException("The external test server is the user's own: it is never stopped.");
        }

        return Task.Run(Stop);
    }

    private static async Task<PostgresTestServer> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(ExternalServerVariable) is { Length: > 0 } external)
        {
            return new PostgresTestServer(external, isExternal: true);
        }

        return await StartClusterAsync();
    }

    private static async Task<PostgresTestServer> StartClusterAsync()
    {

        if (!File.Exists(Path.Combine(BinariesDirectory, "initdb")) || !File.Exists(Path.Combine(BinariesDirectory, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests need the PostgreSQL 15 server binaries in {BinariesDirectory} (initdb, pg_ctl, postgres). " +
                "Install them (Debian/Ubuntu: sudo apt-get install -y postgresql-15), or set " + ExternalServerVariable +
                " to the Npgsql connection string of a server to test against (e.g. \"Host=localhost;Username=postgres;Password=…;Database=typedstate_tests\").");
        }

        var directory = Path.Combine(Path.GetTempPath(), "typedstate-tests", "pg-" + Guid.NewGuid().ToString("N"));
        Process? guard = null;
        Directory.CreateDirectory(Path.Combine(directory, "sock"));
        try
        {
            // initdb and postgres refuse to run as root: run them as the postgres user, who must own the directory.
            var asRoot = Environment.UserName == "root";
            if (asRoot)
            {
                await RunAsync(directory, "chown", "-R", "postgres:postgres", directory);
            }

            string[] Server(string program, params string[] arguments) =>
                asRoot ? ["runuser", "-u", "postgres", "--", Path.Combine(BinariesDirectory, program), .. arguments] : [Path.Combine(BinariesDirectory, program), .. arguments];

            var data = Path.Combine(directory, "data");
            await RunAsync(directory, Server("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"));
            var port = await StartOnFreePortAsync(directory, data, Server);
            guard = StartGuard(directory, Server("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"));

            var admin = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=false";
            await CreateDatabaseAsync(admin);
            var connectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = DatabaseName,
                MaxPoolSize = 200,
                MaxAutoPrepare = 64,
            };
            var server = new PostgresTestServer(connectionString.ToString(), isExternal: false) { _guard = guard };
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
            return server;
        }
        catch
        {
            Stop(ref guard);
            if (Directory.Exists(directory))
            {
                await RunAsync(Path.GetTempPath(), "rm", "-rf", directory);
            }

            throw;
        }
    }

    /// <summary>Starts the cluster on a free port, trying another port if the chosen one was taken meanwhile.</summary>
    private static async Task<int> StartOnFreePortAsync(string directory, string data, Func<string, string[], string[]> server)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = LocalServer.FreePort();
            var options = string.Join(
                ' ',
                $"-p {port.ToString(CultureInfo.InvariantCulture)}",
                $"-k {Path.Combine(directory, "sock")}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=300");
            try
            {
                await RunAsync(directory, server("pg_ctl", ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", options, "start"]));
                return port;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely the port was taken between choosing and binding it.
            }
        }
    }

    private static async Task CreateDatabaseAsync(string adminConnectionString)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"CREATE DATABASE {DatabaseName} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'";
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException)
        {
            // A server built without ICU: the default collation then is C.UTF-8.
            command.CommandText = $"CREATE DATABASE {DatabaseName} TEMPLATE template0 ENCODING 'UTF8'";
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Starts the guard: <c>sh</c> reading a pipe whose write end only this process holds, which stops the cluster
    /// when the pipe closes — when stopped (see <see cref="Stop()"/>), at exit, or when this process dies.
    /// </summary>
    private static Process StartGuard(string directory, string[] stopCommand)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-c", GuardScript, "guard", directory, .. stopCommand])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the guard process of the PostgreSQL test server.");
    }

    private void Stop() => Stop(ref _guard);

    private static void Stop(ref Process? running)
    {
        if (Interlocked.Exchange(ref running, null) is not { } guard)
        {
            return;
        }

        try
        {
            guard.StandardInput.Close();
            guard.WaitForExit(30_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            guard.Dispose();
        }
    }

    /// <summary>Runs a command to completion; its output goes to a file, shown in the exception when it fails.</summary>
    private static async Task RunAsync(string directory, params string[] command)
    {
        var output = Path.Combine(directory, $"command-{Guid.NewGuid():N}.out");
        var start = new ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", "out=$1; shift; \"$@\" >\"$out\" 2>&1", "run", output, .. command])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var text = File.Exists(output) ? await File.ReadAllTextAsync(output) : string.Empty;
        File.Delete(output);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', command)}' failed with exit code {process.ExitCode}: {text}");
        }
    }
}
