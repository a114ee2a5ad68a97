using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TypedState.Generators.Tests.Infrastructure;

/// <summary>Runs the generator on a source file and a schema lock file, as a build with or without <c>-p:TypedStateUpdateLock=true</c>.</summary>
internal static class LockHarness
{
    public const string SourcePath = "/src/State.cs";

    public const string LockPath = "/src/typedstate.lock.json";

    /// <summary>The generator's diagnostics (sorted by position) and the lock file as the update would write it (null unless <paramref name="update"/>).</summary>
    public static (ImmutableArray<Diagnostic> Diagnostics, string? Proposal) Run(string source, string? lockFile, bool update = false)
    {
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(source, SourcePath));
        var driver = Driver(lockFile is null ? [] : [new Text(LockPath, lockFile)], update).RunGenerators(compilation);
        var result = driver.GetRunResult().Results[0];
        Assert.Null(result.Exception);
        var proposal = result.GeneratedSources.FirstOrDefault(s => s.HintName == "TypedState.lock.g.cs").SourceText?.ToString();
        return ([.. result.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start)], proposal is null ? null : Extract(proposal));
    }

    /// <summary>The lock file the update command writes for <paramref name="source"/> (with <paramref name="lockFile"/> as it was).</summary>
    public static string Update(string source, string? lockFile = null) =>
        Run(source, lockFile, update: true).Proposal ?? throw new InvalidOperationException("No lock file proposed.");

    /// <summary>A tracking driver with the additional files and the update switch.</summary>
    public static GeneratorDriver Driver(IEnumerable<AdditionalText> texts, bool update = false) =>
        CSharpGeneratorDriver.Create(
            [new StateGenerator().AsSourceGenerator()],
            texts,
            GeneratorHarness.ParseOptions,
            new Options(update),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The source text of <paramref name="diagnostic"/>'s location (the member or type it names).</summary>
    public static string At(string source, Diagnostic diagnostic) => source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);

    /// <summary>A line diff (longest common subsequence): the lines removed, prefixed -, then the lines added, prefixed +.</summary>
    public static string[] Diff(string before, string after)
    {
        var old = before.Split('\n');
        var current = after.Split('\n');
        var common = new int[old.Length + 1, current.Length + 1];
        for (var i = old.Length - 1; i >= 0; i--)
        {
            for (var j = current.Length - 1; j >= 0; j--)
            {
                common[i, j] = old[i] == current[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var removed = new List<string>();
        var added = new List<string>();
        for (int i = 0, j = 0; i < old.Length || j < current.Length;)
        {
            if (i < old.Length && j < current.Length && old[i] == current[j])
            {
                i++;
                j++;
            }
            else if (j == current.Length || (i < old.Length && common[i + 1, j] >= common[i, j + 1]))
            {
                removed.Add("-" + old[i++]);
            }
            else
            {
                added.Add("+" + current[j++]);
            }
        }

        return [.. removed, .. added];
    }

    private static string Extract(string source)
    {
        var start = source.IndexOf("\n/*\n", StringComparison.Ordinal) + 4;
        return source[start..source.LastIndexOf("*/", StringComparison.Ordinal)];
    }

    /// <summary>An additional file held in memory.</summary>
    public sealed class Text(string path, string content) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(content);
    }

    private sealed class Options(bool update) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(update);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values(false);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Values(false);
    }

    private sealed class Values(bool update) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
        {
            value = update && key == "build_property.TypedStateUpdateLock" ? "true" : null;
            return value is not null;
        }
    }
}
