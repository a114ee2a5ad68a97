using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// The schema lock input keeps the generator incremental: another additional file, or a code edit that changes no
/// stored shape, re-runs no output and compares nothing again; an edit of the lock file re-runs the check only.
/// </summary>
public sealed class SchemaLockCachingTests
{
    private const string Source = """
        using System.Collections.Generic;
        using TypedState;

        namespace Demo;

        [AgentState(Key = "memory")]
        public partial class Notes
        {
            public List<string> Items { get; set; } = [];

            public int CountItems() => Items.Count;
        }
        """;

    private static readonly IncrementalStepRunReason[] s_kept = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    private static readonly string s_locked = LockHarness.Update(Source);

    [Fact]
    public void Editing_an_unrelated_additional_file_re_runs_nothing()
    {
        var (driver, texts, compilation) = Start();
        var result = driver.ReplaceAdditionalText(texts[1], new LockHarness.Text("/src/notes.txt", "edited")).RunGenerators(compilation).GetRunResult().Results[0];
        AssertKept(result, StateGenerator.Steps.LockFile, StateGenerator.Steps.LockShapes, StateGenerator.Steps.LockCheck);
        AssertNoOutputReRan(result);
    }

    [Fact]
    public void A_code_edit_that_changes_no_stored_shape_re_runs_no_output_and_no_comparison()
    {
        var (driver, _, compilation) = Start();
        var tree = compilation.SyntaxTrees.Single();
        var text = tree.GetText();
        var at = text.ToString().IndexOf("Items.Count;", StringComparison.Ordinal);
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(at, 12), "Items.Count + 0;"))));
        var result = driver.RunGenerators(edited).GetRunResult().Results[0];
        AssertKept(result, StateGenerator.Steps.LockFile, StateGenerator.Steps.LockShapes, StateGenerator.Steps.LockCheck);
        AssertNoOutputReRan(result);
    }

    [Fact]
    public void Editing_the_lock_file_re_runs_the_check_and_emits_no_source()
    {
        var (driver, texts, compilation) = Start();
        var stale = s_locked.Replace("\"items\": \"array\",\n", string.Empty, StringComparison.Ordinal);
        var result = driver.ReplaceAdditionalText(texts[0], new LockHarness.Text(LockHarness.LockPath, stale)).RunGenerators(compilation).GetRunResult().Results[0];
        Assert.Equal("TSTATE1031", Assert.Single(result.Diagnostics).Id);
        AssertKept(result, StateGenerator.Steps.LockShapes);
        Assert.Contains(result.TrackedSteps[StateGenerator.Steps.LockCheck].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    private static (GeneratorDriver Driver, AdditionalText[] Texts, Compilation Compilation) Start()
    {
        AdditionalText[] texts = [new LockHarness.Text(LockHarness.LockPath, s_locked), new LockHarness.Text("/src/notes.txt", "notes")];
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(Source, LockHarness.SourcePath));
        var driver = LockHarness.Driver(texts).RunGenerators(compilation);
        var first = driver.GetRunResult().Results[0];
        Assert.Empty(first.Diagnostics);
        Assert.Equal(2, first.GeneratedSources.Length);
        return (driver, texts, compilation);
    }

    private static void AssertKept(GeneratorRunResult result, params string[] steps)
    {
        foreach (var step in steps)
        {
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs), output => Assert.Contains(output.Reason, s_kept));
        }
    }

    private static void AssertNoOutputReRan(GeneratorRunResult result)
    {
        Assert.Empty(result.Diagnostics);
        var outputs = result.TrackedOutputSteps.SelectMany(pair => pair.Value.SelectMany(s => s.Outputs)).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.Contains(output.Reason, s_kept));
    }
}
