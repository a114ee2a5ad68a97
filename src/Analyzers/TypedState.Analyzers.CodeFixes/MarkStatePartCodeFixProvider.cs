using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace TypedState.Analyzers.CodeFixes;

/// <summary>
/// Fixes the generator's TSTATE1006 (member type not supported) when the member's type, or the element or value type
/// it holds, is a plain top-level class, struct or record of the solution: marks it <c>[StatePart]</c> and makes it
/// <c>partial</c>, so the generator emits its serializer.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MarkStatePartCodeFixProvider))]
public sealed class MarkStatePartCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["TSTATE1006"];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<PropertyDeclarationSyntax>() is not { } property
                || model?.GetDeclaredSymbol(property, context.CancellationToken) is not { } symbol)
            {
                continue;
            }

            var candidates = new List<INamedTypeSymbol>();
            Collect(symbol.Type, candidates);
            if (candidates.Count != 1)
            {
                continue;
            }

            var part = candidates[0];
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Mark '{part.Name}' [StatePart]",
                    cancellationToken => MarkAsync(context.Document.Project.Solution, part, cancellationToken),
                    nameof(MarkStatePartCodeFixProvider)),
                diagnostic);
        }
    }

    /// <summary>The source types <paramref name="type"/> is made of (itself, array elements, type arguments) that could become parts.</summary>
    private static void Collect(ITypeSymbol type, List<INamedTypeSymbol> candidates)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                Collect(array.ElementType, candidates);
                break;
            case INamedTypeSymbol { IsGenericType: true } generic:
                foreach (var argument in generic.TypeArguments)
                {
                    Collect(argument, candidates);
                }

                break;
            case INamedTypeSymbol named when CanBePart(named) && !candidates.Contains(named, SymbolEqualityComparer.Default):
                candidates.Add(named);
                break;
            default:
                break;
        }
    }

    private static bool CanBePart(INamedTypeSymbol type) =>
        type.TypeKind is TypeKind.Class or TypeKind.Struct && type.ContainingType is null && type.Locations.Any(l => l.IsInSource)
        && !type.GetAttributes().Any(a => a.AttributeClass?.ContainingNamespace?.ToDisplayString() == "TypedState");

    private static async Task<Solution> MarkAsync(Solution solution, INamedTypeSymbol part, CancellationToken cancellationToken)
    {
        var first = true;
        foreach (var reference in part.DeclaringSyntaxReferences)
        {
            if (await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not TypeDeclarationSyntax declaration
                || solution.GetDocument(declaration.SyntaxTree) is not { } document
                || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
            {
                continue;
            }

            var marked = TypeDeclarationEdits.MakePartial(declaration);
            if (first)
            {
                marked = Attributed(marked);
                first = false;
            }

            solution = solution.WithDocumentSyntaxRoot(document.Id, root.ReplaceNode(declaration, marked));
        }

        return solution;
    }

    private static TypeDeclarationSyntax Attributed(TypeDeclarationSyntax declaration) =>
        TypeDeclarationEdits.AddAttributeLists(
            declaration,
            [SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::TypedState.StatePart").WithAdditionalAnnotations(Simplifier.Annotation))))],
            first: true);
}
