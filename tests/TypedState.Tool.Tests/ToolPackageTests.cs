using System.Diagnostics;
using TypedState.Sqlite;

namespace TypedState.Tool.Tests;

/// <summary>
/// The tool as an operator installs it: packed as a tool package into a local folder, installed with
/// <c>dotnet tool install</c>, and run as <c>typedstate</c> against a store.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly PackedFeed _feed = new("packed-tool");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task Dotnet_tool_install_from_the_packed_package_gives_a_working_typedstate()
    {
        await _feed.PackAsync(typeof(ToolPackageTests).Assembly, "src/Tools/TypedState.Tool/TypedState.Tool.csproj");
        var tools = Path.Combine(_feed.Root, "tools");
        var folder = _feed.CreateProjectFolder("operator");
        await DotnetCli.RunCheckedAsync(folder, TimeSpan.FromMinutes(5), "tool", "install", "TypedState.Tool", "--tool-path", tools, "--version", _feed.Version);

        var connection = $"Data Source={Path.Combine(folder, "state.db")}";
        await using (var state = new SqliteStateManager(connection))
        {
            await StoreFill.FillAsync(state);
        }

        var start = new ProcessStartInfo(Path.Combine(tools, "typedstate"))
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["get", "Settings", "--global", "--driver", "sqlite", "--connection", connection])
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{error}");
        Assert.Contains("global key 'Settings' version 1", output, StringComparison.Ordinal);
    }
}
