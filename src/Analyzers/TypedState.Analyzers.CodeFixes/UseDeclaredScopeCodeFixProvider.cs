using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedState.Analyzers.CodeFixes;

/// <summary>
/// Fixes TSTATE2002 where the scope is a <c>Scope</c> constant (<c>ctx.State.SetAsync(Scope.Guild, …)</c> of an
/// [AgentState] type) by naming the type's own scope, keeping the qualification as written. An owner of the wrong
/// scope (<c>StateOwner.Guild(g)</c>) needs ids the fix cannot know, so it gets none.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseDeclaredScopeCodeFixProvider))]
public sealed class UseDeclaredScopeCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [DiagnosticDescriptors.ScopeMismatch.Id];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not MemberAccessExpressionSyntax access
                || !diagnostic.Properties.TryGetValue(ScopeMismatchAnalyzer.ScopeProperty, out var scope) || scope is null)
            {
                continue;
            }

            var named = access.WithName(SyntaxFactory.IdentifierName(scope).WithTriviaFrom(access.Name));
            context.RegisterCodeFix(
                CodeAction.Create($"Use Scope.{scope}", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(access, named))), nameof(UseDeclaredScopeCodeFixProvider)),
                diagnostic);
        }
    }
}
