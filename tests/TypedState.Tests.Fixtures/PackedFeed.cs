using System.Reflection;

namespace TypedState.Tests.Fixtures;

/// <summary>
/// A temporary local NuGet feed holding this repository's libraries packed as a release would pack them, and
/// projects outside the repository that restore from it: what a user gets from the packages, tested end to end.
/// Deleted on dispose.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    private readonly DirectoryInfo _temp;

    /// <summary>Creates an empty feed in a new temporary folder named after <paramref name="purpose"/>.</summary>
    public PackedFeed(string purpose)
    {
        _temp = Directory.CreateTempSubdirectory($"typedstate-{purpose}-");
        Version = $"0.0.0-{purpose}.{DateTime.UtcNow:yyyyMMddHHmmss}";
    }

    /// <summary>The version every package of the feed gets.</summary>
    public string Version { get; }

    /// <summary>The temporary folder (feed, projects and anything else the test puts there).</summary>
    public string Root => _temp.FullName;

    /// <summary>The folder of the packages.</summary>
    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The repository the calling test was built from: the folder above the test assembly that holds TypedState.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TypedState.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TypedState.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// Packs the projects (paths relative to the repository) as already built with the calling test's configuration,
    /// as a release would pack them.
    /// </summary>
    public async Task PackAsync(Assembly testAssembly, params string[] projects)
    {
        var repository = RepositoryRoot();
        var configuration = testAssembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        foreach (var project in projects)
        {
            await DotnetCli.RunCheckedAsync(repository, TimeSpan.FromMinutes(5), "pack", Path.Combine(repository, project), "-c", configuration,
                "--no-build", "--no-restore", "-o", Feed, $"-p:Version={Version}", $"-p:NuspecOutputPath={Path.Combine(Root, "nuspec")}/");
        }
    }

    /// <summary>
    /// A new folder for a project outside the repository, with a nuget.config restoring from this feed and nuget.org:
    /// packages already on this machine come from its NuGet folder, the packed ones are extracted into the folder only.
    /// </summary>
    public string CreateProjectFolder(string name)
    {
        var project = Directory.CreateDirectory(Path.Combine(Root, name)).FullName;
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(project, "packages")}" />
              </config>
              <fallbackPackageFolders>
                <clear />
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="packed" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        return project;
    }

    /// <inheritdoc />
    public void Dispose() => _temp.Delete(recursive: true);
}
