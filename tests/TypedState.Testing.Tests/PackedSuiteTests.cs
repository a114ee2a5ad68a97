using System.Diagnostics;
using System.Reflection;
using System.Xml.Linq;
using Xunit.Sdk;

namespace TypedState.Testing.Tests;

/// <summary>
/// The conformance suite as a driver author gets it: TypedState (with its source generator) and TypedState.Testing
/// are packed into a temporary folder, a new test project references those packages and closes the suite over
/// <see cref="DictionaryStateDriver"/> (the same two source files as this project's), and <c>dotnet test</c> must run
/// every test of the suite with none failing.
/// </summary>
public sealed class PackedSuiteTests : IDisposable
{
    private static readonly string[] s_sourceFiles = ["DictionaryStateDriver.cs", "DictionaryConformanceTests.cs"];

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("typedstate-packed-suite-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task The_packed_suite_runs_every_conformance_test_against_a_driver_outside_this_repository()
    {
        var repository = RepositoryRoot();
        var configuration = typeof(PackedSuiteTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var version = $"0.0.0-packed.{DateTime.UtcNow:yyyyMMddHHmmss}";
        var feed = Path.Combine(_temp.FullName, "feed");

        // The libraries are built with this test project already: pack what was built, as a release would.
        foreach (var library in new[] { "src/Runtime/TypedState/TypedState.csproj", "src/Testing/TypedState.Testing/TypedState.Testing.csproj" })
        {
            await DotnetAsync(repository, "pack", Path.Combine(repository, library), "-c", configuration, "--no-build", "--no-restore",
                "-o", feed, $"-p:Version={version}", $"-p:NuspecOutputPath={Path.Combine(_temp.FullName, "nuspec")}/");
        }

        var project = Directory.CreateDirectory(Path.Combine(_temp.FullName, "MyDriver.Tests")).FullName;
        WriteProject(repository, project, feed, version);
        var results = Path.Combine(_temp.FullName, "results");
        await DotnetAsync(project, "test", "--disable-build-servers", "--logger", "trx;LogFileName=suite.trx", "--results-directory", results);

        var counters = XDocument.Load(Path.Combine(results, "suite.trx")).Descendants().Single(e => e.Name.LocalName == "Counters");
        var expected = ConformanceTestCount();
        Assert.NotEqual(0, expected);
        Assert.Equal(expected, (int)counters.Attribute("total")!);
        Assert.Equal(expected, (int)counters.Attribute("passed")!);
        Assert.Equal(0, (int)counters.Attribute("failed")!);
    }

    /// <summary>How many results the suite reports: one per fact, one per data row of a theory.</summary>
    private static int ConformanceTestCount() => typeof(StateStoreConformanceTests)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => m.GetCustomAttribute<FactAttribute>() is not null)
        .Sum(m => m.GetCustomAttribute<TheoryAttribute>() is null ? 1 : m.GetCustomAttributes<DataAttribute>().Sum(d => d.GetData(m).Count()));

    /// <summary>
    /// A test project of its own, outside the repository (no Directory.Build.props or central package versions
    /// reach it): the packages from <paramref name="feed"/>, xUnit at the versions the repository uses, this
    /// project's driver and closing class. Packages already on this machine are used from its NuGet folder; the two
    /// packed ones are extracted into the temporary folder only.
    /// </summary>
    private static void WriteProject(string repository, string project, string feed, string version)
    {
        var pinned = XDocument.Load(Path.Combine(repository, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        var references = string.Concat(new[] { "Microsoft.NET.Test.Sdk", "xunit", "xunit.runner.visualstudio" }
            .Select(id => $"""    <PackageReference Include="{id}" Version="{pinned[id]}" />{Environment.NewLine}"""));
        File.WriteAllText(Path.Combine(project, "MyDriver.Tests.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <IsPackable>false</IsPackable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TypedState" Version="{version}" />
                <PackageReference Include="TypedState.Testing" Version="{version}" />
            {references}  </ItemGroup>
            </Project>
            """);
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
                <add key="packed" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        foreach (var file in s_sourceFiles)
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "PackedSuite", file), Path.Combine(project, file));
        }
    }

    /// <summary>Runs <c>dotnet</c> in <paramref name="directory"/> and fails the test, with its output, unless it exits with 0.</summary>
    private static async Task DotnetAsync(string directory, params string[] arguments)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var start = new ProcessStartInfo(!string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet")
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

        // The test host inherits the MSBuild and VSTest settings of the `dotnet test` that started it; a nested
        // build must start from a clean slate.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await errors}");
    }

    /// <summary>The repository this test was built from: the folder above the test assembly that holds TypedState.sln.</summary>
    private static string RepositoryRoot()
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
}
