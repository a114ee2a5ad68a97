using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedState.Generators;

namespace TypedState.Distribution.Tests.Readme;

/// <summary>
/// Compiles README snippets in process with Roslyn, as a new console project would: the SDK's implicit usings,
/// nullable on, the TypedState libraries and Microsoft.Extensions packages this test references, and the TypedState
/// source generator. Diagnostics are mapped back to the markdown file and line (#line directives).
/// </summary>
internal static class SnippetCompiler
{
    /// <summary>What `ImplicitUsings` gives a Microsoft.NET.Sdk project.</summary>
    private static readonly string[] s_implicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>
    /// Warnings a fragment cannot avoid: an async wrapper without await, a variable only the next example uses, and
    /// MAAI001 (the Agent Framework marks its session store experimental; the README tells users to suppress it too).
    /// </summary>
    private static readonly string[] s_fragmentWarnings = ["CS1998", "CS0168", "CS0219", "CS8321", "MAAI001"];

    private static readonly CSharpParseOptions s_parse = new(LanguageVersion.Preview);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>
    /// Every fragment in one compilation named <paramref name="assemblyName"/> (its GeneratedStateTypes land in that
    /// namespace). The fragments of one markdown file share a namespace, as a reader takes a page's examples to build
    /// on each other (a type one declares, the next may use); each file has its own.
    /// </summary>
    public static (Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics) Fragments(IReadOnlyList<ReadmeSnippet> fragments, string assemblyName)
    {
        var trees = fragments.Select((snippet, index) => CSharpSyntaxTree.ParseText(Wrap(snippet, index), s_parse, path: $"snippet{index}.cs", Encoding.UTF8));
        var options = Options(OutputKind.DynamicallyLinkedLibrary, s_fragmentWarnings);
        return Generate(CSharpCompilation.Create(assemblyName, [ImplicitUsings(), .. trees], s_references.Value, options));
    }

    /// <summary>A whole program as its own console assembly, named as its marker says.</summary>
    public static (Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics) Program(ReadmeSnippet program)
    {
        var tree = CSharpSyntaxTree.ParseText($"#line {program.Line} \"{program.File}\"\n{program.Code}\n", s_parse, path: $"{program.Name}.cs", Encoding.UTF8);
        return Generate(CSharpCompilation.Create(program.Name, [ImplicitUsings(), tree], s_references.Value, Options(OutputKind.ConsoleApplication)));
    }

    /// <summary>Errors and warnings, one per line, at their place in the markdown.</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics) => string.Join('\n', diagnostics.Select(Describe));

    private static string Describe(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetMappedLineSpan();
        var where = span.IsValid ? $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})" : "(no location)";
        return $"{where}: {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static (Compilation, ImmutableArray<Diagnostic>) Generate(CSharpCompilation compilation)
    {
        CSharpGeneratorDriver.Create(new StateGenerator()).WithUpdatedParseOptions(s_parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var problems = generatorDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToImmutableArray();
        return (output, problems);
    }

    // CS1701/CS1702 (a reference built against an older framework assembly version) are off in every SDK project.
    private static CSharpCompilationOptions Options(OutputKind kind, params string[] suppressed) =>
        new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: false)
            .WithSpecificDiagnosticOptions(suppressed.Concat(["CS1701", "CS1702"]).ToDictionary(id => id, _ => ReportDiagnostic.Suppress));

    private static SyntaxTree ImplicitUsings() =>
        CSharpSyntaxTree.ParseText(string.Concat(s_implicitUsings.Select(u => $"global using global::{u};\n")), s_parse, path: "ImplicitUsings.g.cs");

    /// <summary>
    /// A fragment as a file: its usings (and the given ones) first, its types in its markdown file's namespace, its
    /// statements in the body of <c>Snippet{index}.RunAsync(given variables)</c>, every part mapped to its markdown line.
    /// </summary>
    private static string Wrap(ReadmeSnippet snippet, int index)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(snippet.Code, s_parse).GetRoot();
        var file = new StringBuilder();
        foreach (var given in snippet.Usings)
        {
            file.Append("using ").Append(given).Append(";\n");
        }

        foreach (var part in root.Usings)
        {
            Mapped(file, snippet, part);
        }

        var space = string.Concat(snippet.File.Select(c => char.IsLetterOrDigit(c) ? c : '_'));
        file.Append("#line default\n").Append("namespace ReadmeSnippets.").Append(space).Append("\n{\n");
        foreach (var type in root.Members.Where(m => m is not GlobalStatementSyntax))
        {
            Mapped(file, snippet, type);
        }

        // The given variables are reported at the marker comment, two lines above the code.
        file.Append("#line ").Append(snippet.Line - 2).Append(" \"").Append(snippet.File).Append("\"\n")
            .Append("internal static class Snippet").Append(index).Append(" { internal static async Task RunAsync(").AppendJoin(", ", snippet.Parameters).Append(") {\n");
        foreach (var statement in root.Members.OfType<GlobalStatementSyntax>())
        {
            Mapped(file, snippet, statement);
        }

        return file.Append("#line default\n}\n}\n}\n").ToString();
    }

    private static void Mapped(StringBuilder file, ReadmeSnippet snippet, SyntaxNode part)
    {
        var line = part.SyntaxTree.GetLineSpan(part.FullSpan).StartLinePosition.Line;
        file.Append("#line ").Append(snippet.Line + line).Append(" \"").Append(snippet.File).Append("\"\n")
            .Append(part.ToFullString()).Append('\n');
    }

    /// <summary>
    /// The assemblies of the running test: the .NET 10 framework and every library this project references
    /// (TypedState and its drivers, Microsoft.Extensions.*), as a user's project referencing the packages has them.
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var self = typeof(SnippetCompiler).Assembly.Location;
        return [.. trusted.Where(path => path != self && path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }
}
