using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedState.Analyzers.Tests;

/// <summary>What a user sees around every diagnostic: an id in the analyzers' range, and a help link to a page that has its section.</summary>
public sealed class DiagnosticHelpTests
{
    private static readonly DiagnosticDescriptor[] s_descriptors =
        [.. typeof(KnownTypes).Assembly.GetTypes()
            .Where(type => typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && !type.IsAbstract)
            .SelectMany(type => ((DiagnosticAnalyzer)Activator.CreateInstance(type)!).SupportedDiagnostics)
            .DistinctBy(descriptor => descriptor.Id)];

    [Fact]
    public void Every_rule_has_an_id_in_the_analyzer_range_and_a_help_link_to_its_section()
    {
        Assert.NotEmpty(s_descriptors);
        foreach (var descriptor in s_descriptors)
        {
            Assert.Matches("^TSTATE2[0-9]{3}$", descriptor.Id);
            Assert.Equal("https://github.com/typedstate/typedstate/blob/main/docs/diagnostics.md#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
        }
    }

    [Fact]
    public void The_help_page_has_a_section_with_a_wrong_and_a_fixed_example_for_every_rule()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        foreach (var descriptor in s_descriptors)
        {
            var start = page.IndexOf("\n## " + descriptor.Id + "\n", StringComparison.Ordinal);
            Assert.True(start >= 0, $"docs/diagnostics.md has no section '## {descriptor.Id}'");
            var end = page.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            var section = end < 0 ? page[start..] : page[start..end];
            Assert.Contains("// " + descriptor.Id, section, StringComparison.Ordinal);
            Assert.Contains("// fixed", section, StringComparison.Ordinal);
            Assert.Contains($"[{descriptor.Id}](#{descriptor.Id.ToLowerInvariant()})", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_rule_is_in_the_release_tracking_file_with_its_default_severity()
    {
        var releases = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Analyzers", "TypedState.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in s_descriptors)
        {
            Assert.Contains($"{descriptor.Id} | TypedState | {descriptor.DefaultSeverity} |", releases, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = Path.GetDirectoryName(typeof(DiagnosticHelpTests).Assembly.Location);
        while (directory is not null && !File.Exists(Path.Combine(directory, "TypedState.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("TypedState.sln not found above the test assembly.");
    }
}
