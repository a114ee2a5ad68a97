using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace TypedState.Generators.Tests.Infrastructure;

/// <summary>
/// A generator test compiled like a user project: net10.0 and TypedState.dll, nullable enabled, the latest language
/// version, XML documentation diagnosed. Compiler warnings count too (users build with warnings as errors), so
/// generated code must produce none, CS1591 (missing XML comment on a public member) included.
/// </summary>
internal sealed class StateGeneratorTest : CSharpSourceGeneratorTest<StateGenerator, DefaultVerifier>
{
    public StateGeneratorTest()
    {
        ReferenceAssemblies = TestReferences.ReferenceAssemblies;
        TestState.AdditionalReferences.AddRange(TestReferences.All);
        CompilerDiagnostics = CompilerDiagnostics.Warnings;
    }

    /// <summary>Runs the generator on <paramref name="source"/> and expects exactly <paramref name="expected"/> (generated sources not checked).</summary>
    public static Task VerifyDiagnosticsAsync(string source, params DiagnosticResult[] expected) =>
        VerifyDiagnosticsAsync([source], expected);

    /// <summary>Runs the generator on <paramref name="sources"/> and expects exactly <paramref name="expected"/> (generated sources not checked).</summary>
    public static async Task VerifyDiagnosticsAsync(string[] sources, params DiagnosticResult[] expected)
    {
        var test = new StateGeneratorTest { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        foreach (var source in sources)
        {
            test.TestState.Sources.Add(UserSource(source));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>
    /// A test's user code: it has no XML comments, so CS1591 is turned off in its own file (a pragma is file-local:
    /// the generated files are still checked).
    /// </summary>
    public static string UserSource(string source) => "#pragma warning disable CS1591\n" + source;

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(GeneratorHarness.Nullable);

    protected override ParseOptions CreateParseOptions() =>
        ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(GeneratorHarness.LanguageVersion);
}
