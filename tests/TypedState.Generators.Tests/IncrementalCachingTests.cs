using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using TypedState.Generators.Model;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Generators.Tests;

/// <summary>
/// Edits that do not change a state type's shape must not re-run any emit step: the driver runs twice and every output
/// of the second run, as well as the parsed types and keys (unless the edit moved a type), must be served from the cache
/// (Cached or Unchanged). An edit that changes the shape must re-emit that type only; diagnostics must move with
/// the code.
/// </summary>
public sealed class IncrementalCachingTests
{
    private const string StatePath = "/src/State.cs";
    private const string OtherPath = "/src/Other.cs";

    private const string StateSource = """
        using System.Collections.Generic;
        using System.Text.Json.Nodes;
        using TypedState;

        namespace Demo;

        // The state of the demo: three types first, the agent's notes last.
        [GuildState(Key = "board")]
        public partial record Board(string Title)
        {
            public Dictionary<string, Card> Cards { get; init; } = new();
        }

        [StatePart]
        public partial record Card
        {
            public string Text { get; init; } = "";
        }

        [GlobalState]
        public partial class Settings
        {
            public int Limit { get; set; }

            public Window? Window { get; set; }

            public int Doubled() => Limit * 2;
        }

        [AgentState(Version = 2)]
        public partial class Notes
        {
            public List<string> Items { get; set; } = [];

            // Version 1 had no items.
            private static void MigrateV1ToV2(JsonObject state)
            {
                state["items"] ??= new JsonArray();
            }

            public int CountItems() => Items.Count;
        }

        // Reached from Settings without an attribute, declared after the state types.
        public sealed class Window
        {
            public int Width { get; set; }
        }
        """;

    private const string OtherSource = """
        namespace Demo;

        public static class Helpers
        {
            public static int Twice(int value) => value * 2;
        }
        """;

    private static readonly IncrementalStepRunReason[] s_kept = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    [Fact]
    public void Adding_an_unrelated_file_re_emits_nothing() =>
        AssertNothingReEmitted(RunTwice(compilation => compilation.AddSyntaxTrees(
            GeneratorHarness.Parse("namespace Demo; public sealed class Extra { public string Name { get; set; } = \"\"; }", "/src/Extra.cs"))));

    [Fact]
    public void Editing_an_unrelated_file_re_emits_nothing() =>
        AssertNothingReEmitted(RunTwice(compilation => Edit(compilation, OtherPath, "value * 2", "value + value")));

    [Fact]
    public void Editing_a_migration_step_body_re_emits_nothing() =>
        AssertNothingReEmitted(RunTwice(compilation => Edit(compilation, StatePath, "state[\"items\"] ??= new JsonArray();", "state[\"items\"] ??= new JsonArray();\n        state.Remove(\"legacy\");")));

    [Fact]
    public void Editing_another_method_body_of_a_state_type_re_emits_nothing() =>
        AssertNothingReEmitted(RunTwice(compilation => Edit(compilation, StatePath, "Items.Count;", "Items.Count + 0;")));

    [Fact]
    public void Editing_a_comment_inside_a_state_type_re_emits_nothing() =>
        AssertNothingReEmitted(RunTwice(compilation => Edit(compilation, StatePath, "// Version 1 had no items.", "// Version 1 had no items; version 2 has a list of them.")));

    // Edits that move state types: the parsed types hold their location (diagnostics must move with the code), so
    // those steps are Modified; what must stay cached is every output, i.e. no source is emitted again.
    [Fact]
    public void Editing_a_comment_above_the_state_types_re_emits_nothing() =>
        AssertNothingReEmitted(
            RunTwice(compilation => Edit(compilation, StatePath, "// The state of the demo: three types first, the agent's notes last.", "// The state of the demo:\n// three types first, the agent's notes last.")),
            typesMoved: true);

    [Fact]
    public void Editing_a_method_body_above_other_state_types_re_emits_nothing() =>
        AssertNothingReEmitted(RunTwice(compilation => Edit(compilation, StatePath, "Limit * 2;", "Limit + Limit;")), typesMoved: true);

    [Fact]
    public void A_diagnostic_moves_with_its_type()
    {
        const string invalid = """
            using TypedState;

            namespace Demo;

            [AgentState(Version = 2)]
            public partial class Broken
            {
                public int Count { get; set; }
            }
            """;
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(invalid, StatePath));
        var driver = GeneratorHarness.TrackingDriver().RunGenerators(compilation);
        Assert.Equal(new LinePosition(5, 21), Assert.Single(driver.GetRunResult().Diagnostics).Location.GetLineSpan().StartLinePosition);

        var result = driver.RunGenerators(Edit(compilation, StatePath, "namespace Demo;", "namespace Demo;\n\n// Broken on purpose.")).GetRunResult();

        var moved = Assert.Single(result.Diagnostics);
        Assert.Equal("TSTATE1003", moved.Id);
        Assert.Equal(new LinePosition(7, 21), moved.Location.GetLineSpan().StartLinePosition);
    }

    [Fact]
    public void A_duplicate_key_diagnostic_moves_with_its_type()
    {
        var compilation = GeneratorHarness.Compilation(
            GeneratorHarness.Parse(StateSource, StatePath),
            GeneratorHarness.Parse("using TypedState;\n\nnamespace Other;\n\n[AgentState]\npublic partial class Notes\n{\n    public int Count { get; set; }\n}\n", OtherPath));
        var driver = GeneratorHarness.TrackingDriver().RunGenerators(compilation);
        var first = Assert.Single(driver.GetRunResult().Diagnostics);
        Assert.Equal("TSTATE1005", first.Id);
        Assert.Equal(OtherPath, first.Location.GetLineSpan().Path);
        Assert.Equal(5, first.Location.GetLineSpan().StartLinePosition.Line);

        var result = driver.RunGenerators(Edit(compilation, OtherPath, "namespace Other;", "namespace Other;\n\n// Same key as Demo.Notes.")).GetRunResult();

        var moved = Assert.Single(result.Diagnostics);
        Assert.Equal("TSTATE1005", moved.Id);
        Assert.Equal(7, moved.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void Adding_a_property_to_a_state_type_re_emits_that_type_only()
    {
        var result = RunTwice(compilation => Edit(compilation, StatePath, "public int Limit { get; set; }", "public int Limit { get; set; }\n\n    public bool Enabled { get; set; }"));

        Assert.Contains(Outputs(result.TrackedSteps[StateGenerator.Steps.Types]), output =>
            output.Reason == IncrementalStepRunReason.Modified && ((StateTypeResult)output.Value).Model!.Members.Count == 3);
        Assert.Single(Outputs(result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput]), output => !s_kept.Contains(output.Reason));
        var settings = Assert.Single(result.GeneratedSources, source => source.HintName == "Demo.Settings.TypedState.g.cs");
        Assert.Contains("EncodeName(\"enabled\")", settings.SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_property_to_a_reached_type_re_emits_the_type_that_reaches_it_only()
    {
        var result = RunTwice(compilation => Edit(compilation, StatePath, "public int Width { get; set; }", "public int Width { get; set; }\n\n    public int Height { get; set; }"));

        Assert.Single(Outputs(result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput]), output => !s_kept.Contains(output.Reason));
        var settings = Assert.Single(result.GeneratedSources, source => source.HintName == "Demo.Settings.TypedState.g.cs");
        Assert.Contains("EncodeName(\"height\")", settings.SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_key_re_emits_that_type_and_the_registry()
    {
        var result = RunTwice(compilation => Edit(compilation, StatePath, "[GlobalState]", "[GlobalState(Key = \"settings-v2\")]"));

        Assert.Contains(Outputs(result.TrackedSteps[StateGenerator.Steps.Types]), output =>
            output.Reason == IncrementalStepRunReason.Modified && ((StateTypeResult)output.Value).Model!.Schema!.Key == "settings-v2");
        Assert.Contains(Outputs(result.TrackedSteps[StateGenerator.Steps.Keys]), output => output.Reason == IncrementalStepRunReason.Modified);
        Assert.Equal(2, Outputs(result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput]).Count(output => !s_kept.Contains(output.Reason)));
        var settings = Assert.Single(result.GeneratedSources, source => source.HintName == "Demo.Settings.TypedState.g.cs");
        Assert.Contains("\"settings-v2\"", settings.SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_subclass_of_a_part_reports_it_and_re_emits_nothing()
    {
        var result = RunTwice(
            compilation => compilation.AddSyntaxTrees(GeneratorHarness.Parse("namespace Demo; public record Flagged : Card { public bool Flag { get; init; } }", "/src/Flagged.cs")),
            expectDiagnostics: true);

        Assert.Equal("TSTATE1018", Assert.Single(result.Diagnostics).Id);
        Assert.All(Outputs(result.TrackedSteps[StateGenerator.Steps.Types]), output => Assert.Contains(output.Reason, s_kept));

        // The one output that ran again is the report of subclasses; no source was emitted again.
        Assert.Single(Outputs(result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput]), output => !s_kept.Contains(output.Reason));
        Assert.Equal(5, result.GeneratedSources.Length);
    }

    /// <summary>Runs the driver on the two files, then again on <paramref name="edit"/>'s compilation; returns the second run.</summary>
    private static GeneratorRunResult RunTwice(Func<CSharpCompilation, CSharpCompilation> edit, bool expectDiagnostics = false)
    {
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(StateSource, StatePath), GeneratorHarness.Parse(OtherSource, OtherPath));
        var driver = GeneratorHarness.TrackingDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var first = driver.GetRunResult().Results[0];
        Assert.Empty(diagnostics);
        Assert.Empty(first.Diagnostics);
        Assert.Null(first.Exception);
        Assert.Equal(5, first.GeneratedSources.Length);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));

        var second = driver.RunGenerators(edit(compilation)).GetRunResult().Results[0];
        Assert.Null(second.Exception);
        if (!expectDiagnostics)
        {
            Assert.Empty(second.Diagnostics);
        }

        return second;
    }

    private static CSharpCompilation Edit(CSharpCompilation compilation, string path, string find, string replacement)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        var text = tree.GetText();
        var start = text.ToString().IndexOf(find, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{find}' is not in {path}");
        var edited = tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(start, find.Length), replacement)));
        return compilation.ReplaceSyntaxTree(tree, edited);
    }

    /// <summary>
    /// Every output of the run was served from the cache; so were the parsed types and the collected keys, unless
    /// <paramref name="typesMoved"/> (then only their locations may have changed, which no emit step sees).
    /// </summary>
    private static void AssertNothingReEmitted(GeneratorRunResult result, bool typesMoved = false)
    {
        var tracked = typesMoved ? [] : new[] { StateGenerator.Steps.Types, StateGenerator.Steps.Keys, StateGenerator.Steps.Subclasses };
        var steps = tracked
            .Select(name => (Name: name, Runs: result.TrackedSteps[name]))
            .Concat(result.TrackedOutputSteps.Select(pair => (Name: pair.Key, Runs: pair.Value)))
            .ToList();
        Assert.Contains(steps, step => step.Name == WellKnownGeneratorOutputs.SourceOutput);

        var reRun = steps
            .SelectMany(step => Outputs(step.Runs).Select(output => (step.Name, output.Reason, output.Value)))
            .Where(output => !s_kept.Contains(output.Reason))
            .Select(output => $"{output.Name}: {output.Reason} {output.Value}")
            .ToList();
        Assert.True(reRun.Count == 0, "Steps that ran again:\n" + string.Join("\n", reRun));
        Assert.Equal(4, Outputs(result.TrackedSteps[StateGenerator.Steps.Types]).Count);
        if (typesMoved)
        {
            Assert.Contains(Outputs(result.TrackedSteps[StateGenerator.Steps.Types]), output => output.Reason == IncrementalStepRunReason.Modified);
        }
    }

    private static List<(object Value, IncrementalStepRunReason Reason)> Outputs(IEnumerable<IncrementalGeneratorRunStep> runs) =>
        [.. runs.SelectMany(run => run.Outputs)];
}
