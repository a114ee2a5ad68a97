using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TypedState.Tests.Fixtures;

namespace TypedState.Analyzers.Tests;

/// <summary>
/// Trimming as a user meets it: TypedState is packed into a temporary folder and a console app outside the repository
/// (Trimmed/Program.cs) is published trimmed and self-contained. The trim and AOT analyzers report IL2026 and
/// IL3050 on its one untyped call, the line marked for them, and nothing else (not for the generated state type, not
/// inside the package); the published app then round-trips its typed state, and fails on the untyped call as the
/// warning said it would.
/// </summary>
public sealed partial class TrimmedPublishTests : IDisposable
{
    private readonly PackedFeed _feed = new("trimmed");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task A_trimmed_publish_warns_on_the_untyped_call_only_and_the_app_round_trips_typed_state()
    {
        await _feed.PackAsync(typeof(TrimmedPublishTests).Assembly, "src/Runtime/TypedState/TypedState.csproj");
        var project = _feed.CreateProjectFolder("Trimmed");
        File.WriteAllText(Path.Combine(project, "Trimmed.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RuntimeIdentifier>{RuntimeInformation.RuntimeIdentifier}</RuntimeIdentifier>
                <PublishTrimmed>true</PublishTrimmed>
                <!-- The AOT analyzer too (IL3050), without compiling natively: the same warnings as PublishAot, faster. -->
                <EnableAotAnalyzer>true</EnableAotAnalyzer>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TypedState" Version="{_feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Trimmed", "Program.cs"));
        File.WriteAllText(Path.Combine(project, "Program.cs"), source);

        var output = await DotnetCli.RunCheckedAsync(project, TimeSpan.FromMinutes(8), "publish", "-c", "Release", "-o", "out", "--disable-build-servers", "-consoleLoggerParameters:NoSummary");

        var warnings = output.Split('\n').Select(l => l.Trim()).Where(l => TrimWarning().IsMatch(l)).Distinct().ToList();
        var untypedLine = source.Split('\n').Select((text, index) => (Line: index + 1, text)).Single(l => l.text.Contains("// IL2026 IL3050", StringComparison.Ordinal)).Line;
        var reported = warnings.Select(w => ProgramWarning().Match(w)).Where(m => m.Success)
            .Select(m => (Line: int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), Id: m.Groups["id"].Value)).Distinct().Order().ToList();
        Assert.True(
            reported.SequenceEqual([(untypedLine, "IL2026"), (untypedLine, "IL3050")]) && warnings.All(w => ProgramWarning().IsMatch(w)),
            $"Expected IL2026 and IL3050 on Program.cs line {untypedLine} and no other trim warning; got:\n{string.Join("\n", warnings)}\n{output}");
        Assert.Contains("JsonTypeInfo<T> from a JsonSerializerContext", output, StringComparison.Ordinal);

        var app = Path.Combine(project, "out", "Trimmed");
        var (exitCode, typed) = await RunAsync(app, project);
        Assert.True(exitCode == 0, typed);
        Assert.Equal("hits=41 names=trimmed version=1", typed.Trim());

        var (untypedExit, untyped) = await RunAsync(app, project, "untyped");
        Assert.NotEqual(0, untypedExit);
        Assert.Contains("No JsonTypeInfo<Int32> was passed", untyped, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string app, string directory, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(app)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    [GeneratedRegex(@"warning IL\d{4}")]
    private static partial Regex TrimWarning();

    // The analyzers report line and column; ILLink, repeating IL2026 while it trims, the line as "Trim analysis warning".
    [GeneratedRegex(@"Program\.cs\((?<line>\d+)(,\d+)?\): (Trim analysis )?warning (?<id>IL\d{4})")]
    private static partial Regex ProgramWarning();
}
