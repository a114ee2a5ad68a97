using System.Text.RegularExpressions;
using TypedState.Tests.Fixtures;

namespace TypedState.Analyzers.Tests;

/// <summary>
/// The analyzers as a user gets them: TypedState is packed into a temporary folder, a project outside the repository
/// references that package alone, and <c>dotnet build</c> of one deliberate violation per rule (Packed/Violations.cs)
/// reports exactly the documented diagnostics, each on the line marked for it.
/// </summary>
public sealed partial class PackedPackageTests : IDisposable
{
    private readonly PackedFeed _feed = new("packed-analyzers");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task A_project_referencing_the_packed_package_reports_one_diagnostic_per_rule_where_marked()
    {
        await _feed.PackAsync(typeof(PackedPackageTests).Assembly, "src/Runtime/TypedState/TypedState.csproj");
        var project = _feed.CreateProjectFolder("Violations");
        File.WriteAllText(Path.Combine(project, "Violations.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TypedState" Version="{_feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Packed", "Violations.cs"));
        File.WriteAllText(Path.Combine(project, "Violations.cs"), source);

        // The build fails (two rules are errors); what matters is which diagnostics it reports, and where.
        var (_, output) = await DotnetCli.RunAsync(project, TimeSpan.FromMinutes(8), "build", "--disable-build-servers", "-consoleLoggerParameters:NoSummary");
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
}
