using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using TypedState.Generators;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Analyzers.Tests.Infrastructure;

/// <summary>
/// How every analyzer and code fix test compiles its sources, like a user project: net10.0 and the real TypedState.dll,
/// the real generator producing the typed accessors, nullable enabled, the latest language version, and the usings an
/// agent author has.
/// </summary>
internal static class TestSetup
{
    /// <summary>The usings of every test source, in a file of their own so the sources stay short.</summary>
    public const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using TypedState;
        global using TypedState.Guilds;
        """;

    /// <summary>The test's compilation: the usings file and the references (a fixed state inherits the references).</summary>
    public static void Apply(SolutionState state)
    {
        state.Sources.Add(("GlobalUsings.cs", GlobalUsings));
        state.AdditionalReferences.AddRange(TestReferences.All);
    }

    /// <summary>The usings file of a code fix's expected result.</summary>
    public static void ApplyFixed(SolutionState state) => state.Sources.Add(("GlobalUsings.cs", GlobalUsings));

    public static Type[] SourceGenerators => [typeof(StateGenerator)];

    public static CompilationOptions WithNullable(CompilationOptions options) =>
        ((CSharpCompilationOptions)options).WithNullableContextOptions(NullableContextOptions.Enable);

    public static ParseOptions WithLatest(ParseOptions options) =>
        ((CSharpParseOptions)options).WithLanguageVersion(LanguageVersion.Latest);
}
