using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace TypedState.Analyzers.Tests;

/// <summary>
/// The analyzers as a user gets them: TypedState is packed into a temporary folder, a project outside the repository
/// references that package alone, and <c>dotnet build</c> of one deliberate violation per rule (Packed/Violations.cs)
/// reports exactly the documented diagnostics, each on the line marked for it.
/// </summary>
public sealed partial class PackedPackageTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("typedstate-packed-analyzers-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task A_project_referencing_the_packed_package_reports_one_diagnostic_per_rule_where_marked()
    {
        var repository = RepositoryRoot();
        var configuration = typeof(PackedPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var version = $"0.0.0-analyzers.{DateTime.UtcNow:yyyyMMddHHmmss}";
        var feed = Path.Combine(_temp.FullName, "feed");
        var (packed, packOutput) = await DotnetAsync(repository, "pack", Path.Combine(repository, "src/Runtime/TypedState/TypedState.csproj"),
            "-c", configuration, "--no-build", "--no-restore", "-o", feed, $"-p:Version={version}", $"-p:NuspecOutputPath={Path.Combine(_temp.FullName, "nuspec")}/");
        Assert.True(packed == 0, packOutput);

        var project = Directory.CreateDirectory(Path.Combine(_temp.FullName, "Violations")).FullName;
        File.WriteAllText(Path.Combine(project, "Violations.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TypedState" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(project, "packages")}" />
              </config>
              <fallbackPackageFolders>
                <add key="machine" value="{MachinePackages()}" />
              </fallbackPackageFolders>
              <packageSources>
                <add key="packed" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Packed", "Violations.cs"));
        File.WriteAllText(Path.Combine(project, "Violations.cs"), source);

        // The build fails (two rules are errors); what matters is which diagnostics it reports, and where.
        var (_, output) = await DotnetAsync(project, "build", "--disable-build-servers", "-consoleLoggerParameters:NoSummary");
        var reported = Reported().Matches(output).Select(m => (Line: int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), Id: m.Groups["id"].Value)).Distinct().Order().ToList();
        var expected = source.Split('\n').Select((text, index) => (Line: index + 1, Marker: Marked().Match(text)))
            .Where(line => line.Marker.Success).Select(line => (line.Line, Id: line.Marker.Groups["id"].Value)).Order().ToList();

        Assert.Equal(9, expected.Count);
        Assert.True(expected.SequenceEqual(reported), $"Expected {string.Join(", ", expected)}\nReported {string.Join(", ", reported)}\n{output}");
    }

    [GeneratedRegex(@"Violations\.cs\((?<line>\d+),\d+\): (?:warning|error) (?<id>TSTATE\d{4})")]
    private static partial Regex Reported();

    [GeneratedRegex(@"// (?<id>TSTATE\d{4})\s*$")]
    private static partial Regex Marked();

    private static string MachinePackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs <c>dotnet</c> in <paramref name="directory"/>; returns its exit code and its output.</summary>
    private static async Task<(int ExitCode, string Output)> DotnetAsync(string directory, params string[] arguments)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var start = new ProcessStartInfo(!string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        arguments.ToList().ForEach(start.ArgumentList.Add);

        // A nested build starts from a clean slate, not the MSBuild and VSTest settings of the `dotnet test` running it.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

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
