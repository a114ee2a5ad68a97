using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TypedState.Generators.Tests.Infrastructure;

/// <summary>Drives <see cref="StateGenerator"/> directly, for caching tests and for rewriting the snapshots.</summary>
internal static class GeneratorHarness
{
    /// <summary>The assembly name the testing framework gives its project (the registry's namespace derives from it).</summary>
    public const string AssemblyName = "TestProject";

    public const NullableContextOptions Nullable = NullableContextOptions.Enable;

    public const LanguageVersion LanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest;

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion);

    public static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static CSharpCompilation Compilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create(
            AssemblyName,
            trees,
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: Nullable));

    /// <summary>A driver that records every step's inputs and outputs.</summary>
    public static GeneratorDriver TrackingDriver() =>
        CSharpGeneratorDriver.Create(
            [new StateGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
}
