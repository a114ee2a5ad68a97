using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedState.Analyzers.CodeFixes;

/// <summary>
/// Fixes the generator's TSTATE1013 for a get-only auto-property (<c>{ get; }</c>) by adding <c>private set;</c>: the
/// generated constructor can then set it when a document is read, and callers still cannot. Fields and inherited
/// private setters are not offered a fix (the change is a design decision).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PrivateSetterCodeFixProvider))]
public sealed class PrivateSetterCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["TSTATE1013"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<PropertyDeclarationSyntax>() is not { AccessorList.Accessors: { Count: 1 } accessors } property
                || accessors[0] is not { Body: null, ExpressionBody: null } getter || !getter.IsKind(SyntaxKind.GetAccessorDeclaration))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Give '{property.Identifier.ValueText}' a private setter",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(property, AddPrivateSetter(property)))),
                    nameof(PrivateSetterCodeFixProvider)),
                diagnostic);
        }
    }

    private static PropertyDeclarationSyntax AddPrivateSetter(PropertyDeclarationSyntax property)
    {
        var accessors = property.AccessorList!;
        var getter = accessors.Accessors.Single();
        var setter = SyntaxFactory.AccessorDeclaration(SyntaxKind.SetAccessorDeclaration)
            .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.PrivateKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space))))
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken))
            .WithTrailingTrivia(getter.GetTrailingTrivia());
        var spacedGetter = getter.WithTrailingTrivia(SyntaxFactory.Space);
        return property.WithAccessorList(accessors.WithAccessors(SyntaxFactory.List([spacedGetter, setter])));
    }
}
