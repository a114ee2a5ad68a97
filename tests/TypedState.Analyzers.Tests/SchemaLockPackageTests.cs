using System.Text.RegularExpressions;
using TypedState.Tests.Fixtures;

namespace TypedState.Analyzers.Tests;

/// <summary>
/// The schema lock file's update command as a user runs it: TypedState is packed, a project outside the repository
/// references the package alone, <c>dotnet build -p:TypedStateUpdateLock=true</c> creates typedstate.lock.json next to
/// it, an added member is one added line after the next update, and a renamed member fails the build at the member.
/// </summary>
public sealed partial class SchemaLockPackageTests : IDisposable
{
    private const string State = """
        using TypedState;

        namespace Demo;

        [AgentState(Key = "memory")]
        public partial class ChatMemory
        {
            public int Turns { get; set; }
        }
        """;

    private readonly PackedFeed _feed = new("schema-lock");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task The_update_command_creates_and_updates_the_lock_file_and_a_rename_fails_the_build()
    {
        await _feed.PackAsync(typeof(SchemaLockPackageTests).Assembly, "src/Runtime/TypedState/TypedState.csproj");
        var project = _feed.CreateProjectFolder("Locked");
        File.WriteAllText(Path.Combine(project, "Locked.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TypedState" Version="{_feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        var source = Path.Combine(project, "State.cs");
        var lockFile = Path.Combine(project, "typedstate.lock.json");
        File.WriteAllText(source, State);

        await BuildAsync(project, update: true);
        var created = File.ReadAllText(lockFile);
        Assert.Contains("  \"agent/memory\": {\n    \"turns\": \"int32\",\n    \"$version\": 1\n  },\n", created, StringComparison.Ordinal);

        File.WriteAllText(source, State.Replace("public int Turns { get; set; }", "public int Turns { get; set; }\n\n    public string Topic { get; set; } = \"\";", StringComparison.Ordinal));
        await BuildAsync(project, update: true);
        var updated = File.ReadAllText(lockFile);
        Assert.Equal(created.Replace("    \"turns\"", "    \"topic\": \"string\",\n    \"turns\"", StringComparison.Ordinal), updated);

        File.WriteAllText(source, State.Replace("Turns", "Rounds", StringComparison.Ordinal));
        var (exitCode, output) = await DotnetCli.RunAsync(project, TimeSpan.FromMinutes(8), "build", "--disable-build-servers", "-consoleLoggerParameters:NoSummary");
        Assert.NotEqual(0, exitCode);
        Assert.Matches(RenameError(), output);
        Assert.Equal(updated, File.ReadAllText(lockFile));
    }

    private static Task<string> BuildAsync(string project, bool update) =>
        DotnetCli.RunCheckedAsync(project, TimeSpan.FromMinutes(8), ["build", "--disable-build-servers", .. update ? ["-p:TypedStateUpdateLock=true"] : Array.Empty<string>()]);

    // State.cs line 8, column 16: the renamed member.
    [GeneratedRegex(@"State\.cs\(8,16\): error TSTATE1030: 'ChatMemory' is still at version 1, but 'rounds' was stored as 'turns'")]
    private static partial Regex RenameError();
}
