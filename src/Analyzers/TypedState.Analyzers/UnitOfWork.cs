using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace TypedState.Analyzers;

/// <summary>
/// A transaction or a held lock in a method body: the variable that holds it, where it starts, the code it covers and
/// where it ends (commit, rollback, release), found from the operations of that one body.
/// </summary>
internal sealed class UnitOfWork
{
    private readonly List<int> _ends = [];

    private UnitOfWork(ISymbol variable, bool isLock, bool isScoped, int start, TextSpan region, IInvocationOperation? acquire)
    {
        Variable = variable;
        IsLock = isLock;
        IsScoped = isScoped;
        Start = start;
        Region = region;
        Acquire = acquire;
    }

    /// <summary>The local or lambda parameter holding the transaction or lock.</summary>
    public ISymbol Variable { get; }

    public bool IsLock { get; }

    /// <summary>A transaction of agent-bound state (IScopedStateTransaction) rather than of the manager.</summary>
    public bool IsScoped { get; }

    public int Start { get; }

    /// <summary>The code in which the variable is in scope.</summary>
    public TextSpan Region { get; }

    /// <summary>The AcquireLockAsync or TryAcquireLockAsync call of a lock.</summary>
    public IInvocationOperation? Acquire { get; }

    /// <summary>Whether the unit is open at <paramref name="position"/>: inside its region, after its start and before any end.</summary>
    public bool IsOpenAt(int position)
    {
        if (position <= Start || !Region.Contains(position))
        {
            return false;
        }

        foreach (var end in _ends)
        {
            if (end > Start && end < position)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The transactions and locks of one method body, with their ends.</summary>
    public static List<UnitOfWork> Find(IOperation body, List<IInvocationOperation> invocations, KnownTypes known)
    {
        var units = new List<UnitOfWork>();
        foreach (var operation in body.Descendants())
        {
            if (operation is IVariableDeclaratorOperation { Initializer: { } initializer } declarator
                && OperationValues.Unwrap(initializer.Value) is IInvocationOperation call && known.IsStateApi(call.TargetMethod)
                && RegionOf(declarator.Syntax) is { } region)
            {
                switch (call.TargetMethod.Name)
                {
                    case "BeginTransactionAsync":
                        units.Add(new UnitOfWork(declarator.Symbol, false, KnownTypes.Is(declarator.Symbol.Type, known.ScopedTransaction), declarator.Syntax.Span.End, region, null));
                        break;
                    case "AcquireLockAsync" or "TryAcquireLockAsync":
                        units.Add(new UnitOfWork(declarator.Symbol, true, false, declarator.Syntax.Span.End, region, call));
                        break;
                    default:
                        break;
                }
            }
        }

        foreach (var invocation in invocations)
        {
            // RunTransactionAsync((tx, ct) => ...): the lambda's first parameter is the transaction.
            if (invocation.TargetMethod.Name == "RunTransactionAsync" && KnownTypes.Same(invocation.TargetMethod.ContainingType, known.ManagerExtensions)
                && OperationValues.ArgumentOf(invocation, "work") is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda }
                && lambda.Symbol.Parameters.Length > 0)
            {
                units.Add(new UnitOfWork(lambda.Symbol.Parameters[0], false, false, lambda.Syntax.SpanStart, lambda.Syntax.Span, null));
            }
        }

        foreach (var invocation in invocations)
        {
            if (invocation.TargetMethod.Name is "CommitAsync" or "RollbackAsync" or "ReleaseAsync" or "DisposeAsync" or "Dispose"
                && invocation.Instance is { } instance && Referenced(instance) is { } variable)
            {
                foreach (var unit in units)
                {
                    if (KnownTypes.Same(unit.Variable, variable))
                    {
                        unit._ends.Add(invocation.Syntax.SpanStart);
                    }
                }
            }
        }

        return units;
    }

    /// <summary>The local or parameter an operation reads, or null.</summary>
    public static ISymbol? Referenced(IOperation operation) => OperationValues.Unwrap(operation) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

    /// <summary>Where a local declared by <paramref name="declarator"/> is in scope: the using statement's body, or the enclosing block.</summary>
    private static TextSpan? RegionOf(SyntaxNode declarator) => declarator.Parent?.Parent switch
    {
        UsingStatementSyntax { Statement: { } statement } => statement.Span,
        LocalDeclarationStatementSyntax { Parent: { } block } => block.Span,
        _ => null,
    };
}
