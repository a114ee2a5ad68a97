using System.Reflection;
using System.Xml.Linq;
using Xunit.Sdk;
using TypedState.Tests.Fixtures;

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

    private readonly PackedFeed _feed = new("packed-suite");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task The_packed_suite_runs_every_conformance_test_against_a_driver_outside_this_repository()
    {
        // The libraries are built with this test project already: pack what was built, as a release would.
        await _feed.PackAsync(typeof(PackedSuiteTests).Assembly, "src/Runtime/TypedState/TypedState.csproj", "src/Testing/TypedState.Testing/TypedState.Testing.csproj");
        var project = _feed.CreateProjectFolder("MyDriver.Tests");
        WriteProject(PackedFeed.RepositoryRoot(), project, _feed.Version);
        var results = Path.Combine(_feed.Root, "results");
        await DotnetCli.RunCheckedAsync(project, TimeSpan.FromMinutes(5), "test", "--disable-build-servers", "--logger", "trx;LogFileName=suite.trx", "--results-directory", results);

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
    /// reach it): the packed packages, xUnit at the versions the repository uses, this
    /// project's driver and closing class. Packages already on this machine are used from its NuGet folder; the two
    /// packed ones are extracted into the temporary folder only.
    /// </summary>
    private static void WriteProject(string repository, string project, string version)
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
        foreach (var file in s_sourceFiles)
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "PackedSuite", file), Path.Combine(project, file));
        }
    }
}
