using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs <typeparamref name="TAnalyzer"/> over sources whose expected diagnostics are marked in place:
/// <c>{|TSTATE2007:""|}</c> expects that id on exactly that span, and unmarked code must stay silent.
/// </summary>
internal sealed class AnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public AnalyzerTest()
    {
        ReferenceAssemblies = TestReferences.ReferenceAssemblies;
        TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck;
    }

    /// <summary>A diagnostic to expect at a location marked <c>{|#0:...|}</c>, with its message arguments.</summary>
    public static DiagnosticResult Diagnostic(string id) => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(id);

    /// <summary>Expects exactly the diagnostics marked in <paramref name="source"/>, and <paramref name="expected"/>.</summary>
    public static Task VerifyAsync(string source, params DiagnosticResult[] expected) => VerifyAsync(source, null, expected);

    /// <summary>Expects exactly the diagnostics marked in <paramref name="source"/>, with an .editorconfig section for it.</summary>
    public static async Task VerifyAsync(string source, string? editorConfig, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest<TAnalyzer>();
        test.TestState.Sources.Add(source);
        test.ExpectedDiagnostics.AddRange(expected);
        TestSetup.Apply(test.TestState);
        if (editorConfig is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig + "\n"));
        }

        await test.RunAsync();
    }

    protected override IEnumerable<Type> GetSourceGenerators() => TestSetup.SourceGenerators;

    protected override CompilationOptions CreateCompilationOptions() => TestSetup.WithNullable(base.CreateCompilationOptions());

    protected override ParseOptions CreateParseOptions() => TestSetup.WithLatest(base.CreateParseOptions());
}
