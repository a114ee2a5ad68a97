using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace TypedState.Tool.Tests;

/// <summary>The tool run as an operator runs it: a process, its exit code, stdout and stderr (never a terminal).</summary>
internal static class ToolProcess
{
    private static readonly string s_tool = Path.Combine(AppContext.BaseDirectory, "TypedState.Tool.dll");

    public static async Task<ToolResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        using var process = Start(workingDirectory, arguments);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"typedstate {string.Join(' ', arguments)} did not finish in time.");
        }

        return new ToolResult(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the tool and returns its process, stdout and stderr redirected (the caller reads or kills it).</summary>
    public static Process Start(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetCli.Host())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(s_tool);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The tool reads TYPEDSTATE__* settings like the application: none may leak in from the test's environment.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("TYPEDSTATE", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("The tool did not start.");
    }
}

/// <summary>What one run of the tool gave.</summary>
internal sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Output);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
