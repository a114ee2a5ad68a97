using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs <typeparamref name="TAnalyzer"/> and applies <typeparamref name="TCodeFix"/>: the marked diagnostics are
/// expected before, <c>fixedSource</c> after. The framework also applies the fix to every diagnostic at once in the
/// document, the project and the solution (fix-all) and expects the same result.
/// </summary>
internal sealed class CodeFixTest<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public CodeFixTest()
    {
        ReferenceAssemblies = TestReferences.ReferenceAssemblies;
        TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck;
    }

    /// <summary>Expects the marked diagnostics in <paramref name="source"/> and <paramref name="fixedSource"/> once every one is fixed.</summary>
    public static async Task VerifyAsync(string source, string fixedSource)
    {
        var test = new CodeFixTest<TAnalyzer, TCodeFix>();
        test.TestState.Sources.Add(source);
        TestSetup.Apply(test.TestState);
        test.FixedState.Sources.Add(fixedSource);
        TestSetup.ApplyFixed(test.FixedState);
        await test.RunAsync();
    }

    protected override IEnumerable<Type> GetSourceGenerators() => TestSetup.SourceGenerators;

    protected override CompilationOptions CreateCompilationOptions() => TestSetup.WithNullable(base.CreateCompilationOptions());

    protected override ParseOptions CreateParseOptions() => TestSetup.WithLatest(base.CreateParseOptions());
}
