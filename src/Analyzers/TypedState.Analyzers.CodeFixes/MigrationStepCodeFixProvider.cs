using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace TypedState.Analyzers.CodeFixes;

/// <summary>
/// Fixes the generator's TSTATE1003 (migration step missing) by declaring each missing
/// <c>static void MigrateVnToVm(JsonObject state)</c> with an empty body, for the author to fill in. Offered for up to
/// <see cref="MaxSteps"/> missing steps: a Version set by mistake to a date needs another fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MigrationStepCodeFixProvider))]
public sealed class MigrationStepCodeFixProvider : CodeFixProvider
{
    private const int MaxSteps = 20;

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["TSTATE1003"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            // Reported on the type's name; a partial step without a body is reported on the step, and needs a body instead.
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start) is not { Parent: TypeDeclarationSyntax declaration } token
                || token != declaration.Identifier
                || model?.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } type
                || MissingSteps(type) is not { Count: > 0 and <= MaxSteps } missing)
            {
                continue;
            }

            var title = missing.Count == 1 ? $"Add the migration step '{Name(missing[0])}'" : $"Add the {missing.Count} missing migration steps";
            context.RegisterCodeFix(
                CodeAction.Create(
                    title,
                    cancellationToken => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(declaration, AddSteps(declaration, missing, cancellationToken)))),
                    nameof(MigrationStepCodeFixProvider)),
                diagnostic);
        }
    }

    /// <summary>The versions n in 1 … Version-1 whose step MigrateVnToVn+1 the type does not declare.</summary>
    private static List<int> MissingSteps(INamedTypeSymbol type)
    {
        var version = 1;
        foreach (var attribute in type.GetAttributes())
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == "Version" && argument.Value.Value is int declared)
                {
                    version = declared;
                }
            }
        }

        var missing = new List<int>();
        for (var from = 1; from < version && missing.Count <= MaxSteps; from++)
        {
            if (type.GetMembers(Name(from)).IsEmpty)
            {
                missing.Add(from);
            }
        }

        return missing;
    }

    private static TypeDeclarationSyntax AddSteps(TypeDeclarationSyntax declaration, List<int> missing, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var steps = missing.Select(from => SyntaxFactory.MethodDeclaration(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.VoidKeyword)), Name(from))
            .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxKind.PrivateKeyword), SyntaxFactory.Token(SyntaxKind.StaticKeyword)))
            .WithParameterList(SyntaxFactory.ParameterList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.Parameter(SyntaxFactory.Identifier("state"))
                    .WithType(SyntaxFactory.ParseTypeName("global::System.Text.Json.Nodes.JsonObject").WithAdditionalAnnotations(Simplifier.Annotation)))))
            .WithBody(SyntaxFactory.Block())
            .WithAdditionalAnnotations(Formatter.Annotation));
        return declaration.AddMembers([.. steps]);
    }

    private static string Name(int from) =>
        string.Format(CultureInfo.InvariantCulture, "MigrateV{0}ToV{1}", from, from + 1);
}
