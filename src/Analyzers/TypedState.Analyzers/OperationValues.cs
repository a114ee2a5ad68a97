using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>Small helpers over operations shared by the analyzers.</summary>
internal static class OperationValues
{
    /// <summary>
    /// The operation behind <paramref name="operation"/>: implicit conversions and parentheses removed, and a local
    /// followed to its initializer (a few steps at most), so <c>var owner = StateOwner.Guild(g)</c> reads as the call.
    /// </summary>
    public static IOperation Initial(IOperation operation, CancellationToken cancellationToken)
    {
        var value = Unwrap(operation);
        for (var step = 0; step < 3 && value is ILocalReferenceOperation local; step++)
        {
            if (InitializerOf(local, cancellationToken) is not { } initializer)
            {
                break;
            }

            value = Unwrap(initializer);
        }

        return value;
    }

    /// <summary>The operation without implicit conversions and parentheses.</summary>
    public static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation { IsImplicit: true } conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                case IAwaitOperation awaited:
                    operation = awaited.Operation;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>Every invocation in one method body, in source order.</summary>
    public static List<IInvocationOperation> InvocationsIn(IOperation body)
    {
        var invocations = new List<IInvocationOperation>();
        foreach (var operation in body.Descendants())
        {
            if (operation is IInvocationOperation invocation)
            {
                invocations.Add(invocation);
            }
        }

        return invocations;
    }

    /// <summary>The value of the argument given for the parameter named <paramref name="name"/>, or null.</summary>
    public static IOperation? ArgumentOf(IInvocationOperation invocation, string name)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name == name)
            {
                return argument.Value;
            }
        }

        return null;
    }

    /// <summary>The value of the first argument whose parameter has type <paramref name="type"/>, or null.</summary>
    public static IArgumentOperation? ArgumentOfType(IInvocationOperation invocation, ITypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (SymbolEqualityComparer.Default.Equals(argument.Parameter?.Type.OriginalDefinition, type))
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>The initializer of a local declared with one (<c>var x = ...;</c>, <c>using var x = ...;</c>), or null.</summary>
    public static IOperation? InitializerOf(ILocalReferenceOperation local, CancellationToken cancellationToken)
    {
        var references = local.Local.DeclaringSyntaxReferences;
        if (references.Length != 1 || local.SemanticModel is not { } model)
        {
            return null;
        }

        var syntax = references[0].GetSyntax(cancellationToken);
        if (syntax.SyntaxTree != model.SyntaxTree)
        {
            return null;
        }

        return model.GetOperation(syntax, cancellationToken) is IVariableDeclaratorOperation declarator
            ? declarator.Initializer?.Value
            : null;
    }
}
