using System.Diagnostics;
using System.Text;

namespace TypedState.Tests.Fixtures;

/// <summary>
/// One TypedState.TestWorker child process (started as <c>dotnet TypedState.TestWorker.dll ...</c>) with its
/// stdin, stdout and stderr redirected. Stderr is collected in the background so the child never blocks on it;
/// stdout is read line by line by the test. Disposing kills the child if it still runs.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private const string WorkerFileName = "TypedState.TestWorker.dll";

    private readonly Process _process;
    private readonly Task<string> _stderr;

    private WorkerProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the worker with <paramref name="arguments"/>.</summary>
    public static WorkerProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetCli.Host())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(s_workerPath.Value);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start."));
    }

    /// <summary>The next stdout line, or null at the end of the stream.</summary>
    public Task<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        _process.StandardOutput.ReadLineAsync(cancellationToken).AsTask();

    /// <summary>Everything left on stdout, up to the end of the stream.</summary>
    public Task<string> ReadToEndAsync(CancellationToken cancellationToken) =>
        _process.StandardOutput.ReadToEndAsync(cancellationToken);

    /// <summary>Writes one line to the worker's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the worker to exit.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills the worker abruptly: SIGKILL on Linux and macOS, TerminateProcess on Windows.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    /// <summary>Everything the worker wrote to stderr; completes once the worker has exited.</summary>
    public Task<string> StandardErrorAsync() => _stderr;

    /// <summary>What to append to an assertion message: exit state and stderr (when the worker has exited).</summary>
    public string Describe()
    {
        if (!_process.HasExited)
        {
            return $"worker {_process.Id} is still running";
        }

        var stderr = _stderr.IsCompleted ? _stderr.Result : "(stderr not yet read)";
        return $"worker {_process.Id} exited with code {_process.ExitCode}; stderr:{Environment.NewLine}{stderr}";
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        _process.Dispose();
    }

    private static readonly Lazy<string> s_workerPath = new(FindWorker);

    /// <summary>
    /// The worker is copied next to the test assembly through the project reference. As a fallback, its own
    /// output folder (tests/TypedState.TestWorker/bin/&lt;configuration&gt;/&lt;tfm&gt;) is searched relative to the repository.
    /// A candidate counts only with its .runtimeconfig.json and .deps.json beside it, without which `dotnet` cannot run it.
    /// </summary>
    private static string FindWorker()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, WorkerFileName) };

        // BaseDirectory is tests/<test project>/bin/<configuration>/<tfm>/: mirror those two folder names.
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configurationDir = tfmDir.Parent;
        for (var dir = tfmDir; dir is not null; dir = dir.Parent)
        {
            var workerProject = Path.Combine(dir.FullName, "tests", "TypedState.TestWorker");
            if (Directory.Exists(workerProject) && configurationDir is not null)
            {
                candidates.Add(Path.Combine(workerProject, "bin", configurationDir.Name, tfmDir.Name, WorkerFileName));
                break;
            }
        }

        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate)
                && File.Exists(Path.ChangeExtension(candidate, ".runtimeconfig.json"))
                && File.Exists(Path.ChangeExtension(candidate, ".deps.json")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"{WorkerFileName} with its .runtimeconfig.json and .deps.json was not found; looked at: {string.Join(", ", candidates)}. Build tests/TypedState.TestWorker.");
    }
}
