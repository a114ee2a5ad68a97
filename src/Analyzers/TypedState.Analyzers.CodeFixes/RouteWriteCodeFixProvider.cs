using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedState.Analyzers.CodeFixes;

/// <summary>
/// Fixes TSTATE2004 and TSTATE2005 by writing through the open transaction (<c>tx</c>) or the held lock's fenced
/// state (<c>held.State</c>) instead of the manager: the analyzer offers the replacement only where the same call
/// exists on it, so the edit is one expression.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RouteWriteCodeFixProvider))]
public sealed class RouteWriteCodeFixProvider : CodeFixProvider
{
    private const string EquivalenceKey = "TypedState.RouteWriteThroughUnitOfWork";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        [DiagnosticDescriptors.WriteOutsideTransaction.Id, DiagnosticDescriptors.WriteOutsideLock.Id];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax target
                || !diagnostic.Properties.TryGetValue(UnitOfWorkAnalyzer.ReplacementProperty, out var replacement) || replacement is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Write through '{replacement}'",
                    cancellationToken => ReplaceAsync(context.Document, root, target, replacement, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static Task<Document> ReplaceAsync(Document document, SyntaxNode root, ExpressionSyntax target, string replacement, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var routed = SyntaxFactory.ParseExpression(replacement).WithTriviaFrom(target);
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(target, routed)));
    }
}
