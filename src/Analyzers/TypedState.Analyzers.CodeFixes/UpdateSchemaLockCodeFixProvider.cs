using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace TypedState.Analyzers.CodeFixes;

/// <summary>
/// Fixes the generator's TSTATE1031 (schema lock file out of date) by writing the lock file as the update command
/// would. The check is the generator's, not an analyzer's: only the generator has the stored shapes (its models), and
/// an analyzer would have to compute them again. So the diagnostic carries the file's path and its updated text, and
/// this fix writes that text, whichever diagnostic it starts from (one fix updates every entry).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UpdateSchemaLockCodeFixProvider))]
public sealed class UpdateSchemaLockCodeFixProvider : CodeFixProvider
{
    // The generator's property names (TypedState.Generators.Lock.LockDiagnostics).
    private const string LockFileProperty = "TypedStateLockFile";
    private const string ProposalProperty = "TypedStateLockProposal";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["TSTATE1031"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => new WholeFile();

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (Action(context.TextDocument.Project, diagnostic) is { } action)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }

        return Task.CompletedTask;
    }

    private static CodeAction? Action(Project project, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.TryGetValue(ProposalProperty, out var proposal) || proposal is null
            || !diagnostic.Properties.TryGetValue(LockFileProperty, out var path) || path is null)
        {
            return null;
        }

        // The file the generator read, by path; else the project's one file of that name (an IDE may normalise paths).
        var document = project.AdditionalDocuments.FirstOrDefault(d => d.FilePath == path)
            ?? project.AdditionalDocuments.FirstOrDefault(d => string.Equals(Path.GetFileName(d.FilePath), Path.GetFileName(path), StringComparison.OrdinalIgnoreCase));
        if (document is null)
        {
            return null;
        }

        return CodeAction.Create(
            $"Update {Path.GetFileName(path)}",
            _ => Task.FromResult(project.Solution.WithAdditionalDocumentText(document.Id, SourceText.From(proposal))),
            nameof(UpdateSchemaLockCodeFixProvider));
    }

    /// <summary>Every TSTATE1031 carries the whole updated file: fixing all is fixing one.</summary>
    private sealed class WholeFile : FixAllProvider
    {
        public override async Task<CodeAction?> GetFixAsync(FixAllContext context)
        {
            var diagnostics = context.Document is { } document
                ? await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false)
                : await context.GetAllDiagnosticsAsync(context.Project).ConfigureAwait(false);
            return diagnostics.Select(d => Action(context.Project, d)).FirstOrDefault(a => a is not null);
        }
    }
}
