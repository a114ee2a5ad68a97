using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using TypedState.Generators;
using TypedState.Generators.Tests.Infrastructure;

namespace TypedState.Analyzers.Tests.Infrastructure;

/// <summary>
/// Applies a code fix to the diagnostics the real generator reports. The testing library cannot: the generator builds
/// its locations from a path and a span (no <c>Location</c> is kept in its models), so they name no syntax tree and
/// the library skips them; an IDE maps them to the document by path, and so does this harness.
/// </summary>
internal static class GeneratorFixHarness
{
    private const string Path = "/Test.cs";

    private const string LockPath = "/typedstate.lock.json";

    /// <summary>The diagnostics with <paramref name="id"/> the generator reports on <paramref name="source"/>, as the text they cover.</summary>
    public static async Task<string[]> ReportedAsync(string source, string id)
    {
        var (document, diagnostics) = await DiagnoseAsync(source, id);
        var text = await document.GetTextAsync();
        return [.. diagnostics.Select(d => text.ToString(d.Location.SourceSpan))];
    }

    /// <summary>The text covered by each <paramref name="id"/> diagnostic for which <paramref name="fix"/> offers an action.</summary>
    public static async Task<string[]> FixableAsync(CodeFixProvider fix, string source, string id)
    {
        var (document, diagnostics) = await DiagnoseAsync(source, id);
        var text = await document.GetTextAsync();
        var fixable = new List<string>();
        foreach (var diagnostic in diagnostics)
        {
            if ((await ActionsAsync(fix, document, diagnostic)).Count > 0)
            {
                fixable.Add(text.ToString(diagnostic.Location.SourceSpan));
            }
        }

        return [.. fixable];
    }

    /// <summary>Applies <paramref name="fix"/> to all of the document's <paramref name="id"/> diagnostics at once (fix-all in the document).</summary>
    public static async Task<string> FixAllAsync(CodeFixProvider fix, string source, string id)
    {
        var (document, diagnostics) = await DiagnoseAsync(source, id);
        var first = await ActionsAsync(fix, document, diagnostics[0]);
        var context = new FixAllContext(
            document, fix, FixAllScope.Document, first[0].EquivalenceKey, [id], new Provider(diagnostics), CancellationToken.None);
        var action = await fix.GetFixAllProvider()!.GetFixAsync(context) ?? throw new InvalidOperationException("No fix-all action.");
        return await ApplyAsync(document, action);
    }

    /// <summary>Applies <paramref name="fix"/> to the first <paramref name="id"/> diagnostic, then again to what remains, until none is left.</summary>
    public static async Task<string> FixOneByOneAsync(CodeFixProvider fix, string source, string id)
    {
        for (var round = 0; round < 10; round++)
        {
            var (document, diagnostics) = await DiagnoseAsync(source, id);
            if (diagnostics.IsEmpty)
            {
                return source;
            }

            var actions = await ActionsAsync(fix, document, diagnostics[0]);
            Assert.NotEmpty(actions);
            source = await ApplyAsync(document, actions[0]);
        }

        throw new InvalidOperationException("The fix did not remove the diagnostics.");
    }

    /// <summary>
    /// With <paramref name="lockFile"/> as the project's schema lock file (an additional file): the text covered by each
    /// <paramref name="id"/> diagnostic, and the lock file after <paramref name="fix"/> is applied to the first one
    /// (null when none is reported or the fix offers nothing); with <paramref name="fixAll"/>, fix-all in the document.
    /// </summary>
    public static async Task<(string[] Reported, string? FixedLock)> FixLockAsync(CodeFixProvider fix, string source, string lockFile, string id, bool fixAll = false)
    {
        var (document, diagnostics) = await DiagnoseAsync(source, id, lockFile);
        var text = await document.GetTextAsync();
        string[] reported = [.. diagnostics.Select(d => text.ToString(d.Location.SourceSpan))];
        if (diagnostics.IsEmpty)
        {
            return (reported, null);
        }

        var actions = await ActionsAsync(fix, document, diagnostics[0]);
        if (actions.Count == 0)
        {
            return (reported, null);
        }

        var action = Assert.Single(actions);
        if (fixAll)
        {
            var context = new FixAllContext(document, fix, FixAllScope.Document, action.EquivalenceKey, [id], new Provider(diagnostics), CancellationToken.None);
            action = await fix.GetFixAllProvider()!.GetFixAsync(context) ?? throw new InvalidOperationException("No fix-all action.");
        }

        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        var lockDocument = solution.GetProject(document.Project.Id)!.AdditionalDocuments.Single();
        return (reported, (await lockDocument.GetTextAsync()).ToString());
    }

    private static async Task<List<CodeAction>> ActionsAsync(CodeFixProvider fix, Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        return actions;
    }

    private static async Task<string> ApplyAsync(Document document, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return (await solution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    /// <summary>Compiles <paramref name="source"/> with the generator and maps its <paramref name="id"/> diagnostics onto the document.</summary>
    private static async Task<(Document Document, ImmutableArray<Diagnostic> Diagnostics)> DiagnoseAsync(string source, string id, string? lockFile = null)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.CurrentSolution
            .AddProject("Test", "Test", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .WithMetadataReferences(TestReferences.All);
        project = project.AddDocument("GlobalUsings.cs", TestSetup.GlobalUsings, filePath: "/GlobalUsings.cs").Project;
        if (lockFile is not null)
        {
            project = project.AddAdditionalDocument("typedstate.lock.json", SourceText.From(lockFile), filePath: LockPath).Project;
        }

        var document = project.AddDocument("Test.cs", SourceText.From(source), filePath: Path);
        var compilation = await document.Project.GetCompilationAsync() ?? throw new InvalidOperationException("No compilation.");
        var tree = await document.GetSyntaxTreeAsync() ?? throw new InvalidOperationException("No syntax tree.");
        var additional = lockFile is null ? [] : new[] { new LockText(LockPath, lockFile) };
        CSharpGeneratorDriver.Create([new StateGenerator().AsSourceGenerator()], additional)
            .RunGeneratorsAndUpdateCompilation(compilation, out _, out var reported);
        ImmutableArray<Diagnostic> mapped =
        [
            .. reported
                .Where(d => d.Id == id && d.Location.GetLineSpan().Path == Path)
                .Select(d => Diagnostic.Create(d.Descriptor, Location.Create(tree, d.Location.SourceSpan), d.Properties))
                .OrderBy(d => d.Location.SourceSpan.Start),
        ];
        return (document, mapped);
    }

    private sealed class Provider(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>([]);
    }

    private sealed class LockText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
