using System.Diagnostics;

namespace TypedState.Tests.Fixtures;

/// <summary>Runs the <c>dotnet</c> CLI as a child process, as a user would in a shell, from a clean MSBuild slate.</summary>
public static class DotnetCli
{
    /// <summary>
    /// Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/> and returns its exit code
    /// and output (stdout then stderr). The child is killed, with its tree, when <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string directory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Host())
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A test host inherits the MSBuild and VSTest settings of the `dotnet test` that started it; a nested build
        // must start from a clean slate.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var cancel = new CancellationTokenSource(timeout);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var errors = process.StandardError.ReadToEndAsync(cancel.Token);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (process.ExitCode, await output + await errors);
    }

    /// <summary>The dotnet host the test runs under (dotnet test sets DOTNET_HOST_PATH), else "dotnet" on the PATH.</summary>
    public static string Host()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    /// <summary>As <see cref="RunAsync"/>, failing the test with the output unless the exit code is 0.</summary>
    public static async Task<string> RunCheckedAsync(string directory, TimeSpan timeout, params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(directory, timeout, arguments);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {exitCode}:\n{output}");
        return output;
    }
}
