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
/// Fixes TSTATE2003 by declaring the shared write on the agent class: <c>[WritesState(typeof(T))]</c> for a state
/// type, <c>[WritesState(Scope.Guild)]</c> for plain values. Fix-all adds each distinct declaration once per class.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddWritesStateCodeFixProvider))]
public sealed class AddWritesStateCodeFixProvider : CodeFixProvider
{
    private const string EquivalenceKey = "TypedState.AddWritesState";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [DiagnosticDescriptors.UndeclaredSharedWrite.Id];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create((context, document, diagnostics) => DeclareAsync(document, diagnostics, context.CancellationToken));

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (diagnostic.Properties.TryGetValue(UndeclaredSharedWriteAnalyzer.DeclarationProperty, out var declaration) && declaration is not null)
            {
                var shown = declaration.Replace("global::TypedState.", string.Empty);
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Declare [WritesState({shown})]",
                        async cancellationToken => await DeclareAsync(context.Document, [diagnostic], cancellationToken).ConfigureAwait(false) ?? context.Document,
                        EquivalenceKey),
                    diagnostic);
            }
        }

        return Task.CompletedTask;
    }

    private static async Task<Document?> DeclareAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }

        // Every class that needs declarations, with the distinct declarations it needs, in the order reported.
        var needed = new Dictionary<TypeDeclarationSyntax, List<string>>();
        foreach (var diagnostic in diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } agent
                && diagnostic.Properties.TryGetValue(UndeclaredSharedWriteAnalyzer.DeclarationProperty, out var declaration) && declaration is not null)
            {
                if (!needed.TryGetValue(agent, out var list))
                {
                    needed[agent] = list = [];
                }

                if (!list.Contains(declaration))
                {
                    list.Add(declaration);
                }
            }
        }

        var fixedRoot = root.ReplaceNodes(needed.Keys, (original, rewritten) => TypeDeclarationEdits.AddAttributeLists(rewritten, needed[original].Select(AttributeList), first: false));
        return document.WithSyntaxRoot(fixedRoot);
    }

    private static AttributeListSyntax AttributeList(string declaration) =>
        SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
            SyntaxFactory.Attribute(
                SyntaxFactory.ParseName("global::TypedState.Guilds.WritesState").WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(
                    SyntaxFactory.AttributeArgument(SyntaxFactory.ParseExpression(declaration).WithAdditionalAnnotations(Simplifier.Annotation)))))));
}
