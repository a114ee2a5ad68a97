using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedState.Analyzers.CodeFixes;

/// <summary>Edits of a type declaration the fixes share, keeping its comments and indentation where a person would.</summary>
internal static class TypeDeclarationEdits
{
    /// <summary>The declaration with <c>partial</c> as its last modifier, right before the type keyword where C# requires it.</summary>
    public static TypeDeclarationSyntax MakePartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return declaration;
        }

        var partial = SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        if (declaration.Modifiers.Count > 0)
        {
            return declaration.AddModifiers(partial);
        }

        // No modifiers: the keyword's comments and indentation move to 'partial'.
        var keyword = declaration.Keyword;
        return declaration
            .WithKeyword(keyword.WithLeadingTrivia())
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
    }

    /// <summary>
    /// The declaration with <paramref name="lists"/> added, each on a line of its own: first of all when
    /// <paramref name="first"/>, else after the existing attributes. The declaration's comments stay on top.
    /// </summary>
    public static TypeDeclarationSyntax AddAttributeLists(TypeDeclarationSyntax declaration, IEnumerable<AttributeListSyntax> lists, bool first)
    {
        var leading = declaration.GetLeadingTrivia();
        var indentation = leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia)
            ? SyntaxFactory.TriviaList(leading.Last())
            : SyntaxFactory.TriviaList();
        var endOfLine = declaration.DescendantTrivia().FirstOrDefault(trivia => trivia.IsKind(SyntaxKind.EndOfLineTrivia));
        var newLine = endOfLine.IsKind(SyntaxKind.EndOfLineTrivia) ? endOfLine : SyntaxFactory.EndOfLine("\n");
        var added = lists.Select(list => list.WithLeadingTrivia(indentation).WithTrailingTrivia(newLine)).ToList();
        if (first || declaration.AttributeLists.Count == 0)
        {
            // The comments and indentation move to the new first line; what followed them keeps only the indentation.
            added[0] = added[0].WithLeadingTrivia(leading);
            declaration = declaration.WithLeadingTrivia(indentation);
            return declaration.WithAttributeLists(declaration.AttributeLists.InsertRange(0, added));
        }

        return declaration.AddAttributeLists([.. added]);
    }
}
