using System.Diagnostics;
using TypedState.Tests.Fixtures;

namespace TypedState.Distribution.Tests.Packages;

/// <summary>
/// Every packable project of the repository, packed once per test run (as built with the tests' configuration) into
/// a temporary feed, with the commit they were built from.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime, IDisposable
{
    /// <summary>Package id and project, for every package a release publishes.</summary>
    public static readonly IReadOnlyDictionary<string, string> Projects = new Dictionary<string, string>
    {
        ["TypedState"] = "src/Runtime/TypedState/TypedState.csproj",
        ["TypedState.Sqlite"] = "src/Runtime/TypedState.Sqlite/TypedState.Sqlite.csproj",
        ["TypedState.Redis"] = "src/Runtime/TypedState.Redis/TypedState.Redis.csproj",
        ["TypedState.Postgres"] = "src/Runtime/TypedState.Postgres/TypedState.Postgres.csproj",
        ["TypedState.Orleans"] = "src/Integrations/TypedState.Orleans/TypedState.Orleans.csproj",
        ["TypedState.Testing"] = "src/Testing/TypedState.Testing/TypedState.Testing.csproj",
        ["TypedState.Tool"] = "src/Tools/TypedState.Tool/TypedState.Tool.csproj",
        ["TypedState.AgentFramework"] = "src/Integrations/TypedState.AgentFramework/TypedState.AgentFramework.csproj",
        ["TypedState.AgentFramework.Workflows"] = "src/Integrations/TypedState.AgentFramework.Workflows/TypedState.AgentFramework.Workflows.csproj",
    };

    private readonly PackedFeed _feed = new("packages");

    /// <summary>The version the packages were packed with (overriding the repository's VersionPrefix).</summary>
    public string Version => _feed.Version;

    /// <summary>The commit HEAD of the repository the packages were built from.</summary>
    public string Commit { get; private set; } = "";

    /// <summary>The path of a package of the feed: <c>.nupkg</c>, or <c>.snupkg</c> for its symbols.</summary>
    public string PackagePath(string id, string extension = ".nupkg") => Path.Combine(_feed.Feed, $"{id}.{Version}{extension}");

    public async Task InitializeAsync()
    {
        await _feed.PackAsync(typeof(PackedPackages).Assembly, [.. Projects.Values]);
        Commit = (await GitAsync("rev-parse", "HEAD")).Trim();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _feed.Dispose();

    private static async Task<string> GitAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = PackedFeed.RepositoryRoot(), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync();
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)} exited with {git.ExitCode}: {error}");
        return output;
    }
}
