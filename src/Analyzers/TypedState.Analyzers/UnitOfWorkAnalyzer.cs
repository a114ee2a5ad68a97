using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// Rule 4: writes that escape their unit of work. While a transaction is open, a write through the manager or
/// <c>context.State</c> instead of the transaction is applied at once, outside the commit (TSTATE2004); while a lock
/// is held, a write to the locked key through the manager instead of the lock's fenced <c>State</c> is not refused
/// once the lease is lost (TSTATE2005). The diagnostic carries the replacement when the rewrite is mechanical.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnitOfWorkAnalyzer : StateAnalyzer
{
    /// <summary>The property of a diagnostic that holds the expression to write through instead (absent when no fix is mechanical).</summary>
    public const string ReplacementProperty = "Replacement";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [DiagnosticDescriptors.WriteOutsideTransaction, DiagnosticDescriptors.WriteOutsideLock];

    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes known) =>
        context.RegisterOperationBlockAction(c =>
        {
            foreach (var block in c.OperationBlocks)
            {
                AnalyzeBody(c, block, known);
            }
        });

    private static void AnalyzeBody(OperationBlockAnalysisContext context, IOperation body, KnownTypes known)
    {
        var cancellationToken = context.CancellationToken;
        var invocations = OperationValues.InvocationsIn(body);

        var units = UnitOfWork.Find(body, invocations, known);
        if (units.Count == 0)
        {
            return;
        }

        foreach (var invocation in invocations)
        {
            if (StateWrite.Classify(invocation, known, cancellationToken) is not { Kind: not StateWriteKind.Tracked } write
                || write.IsTransactional(known, cancellationToken) || IsLockState(write.Target, known, cancellationToken))
            {
                continue;
            }

            var position = invocation.Syntax.SpanStart;
            foreach (var unit in units)
            {
                if (!unit.IsOpenAt(position))
                {
                    continue;
                }

                if (!unit.IsLock)
                {
                    var route = CanRoute(write, unit) ? unit.Variable.Name : null;
                    Report(context, DiagnosticDescriptors.WriteOutsideTransaction, write, route, write.Key, write.Target.Syntax.ToString(), unit.Variable.Name);
                    break;
                }

                if (write.Kind == StateWriteKind.Owner && LocksWrittenKey(unit, write, known, cancellationToken))
                {
                    var replacement = unit.Acquire?.TargetMethod.Name == "AcquireLockAsync" ? unit.Variable.Name + ".State" : null;
                    Report(context, DiagnosticDescriptors.WriteOutsideLock, write, replacement, write.Key, unit.Variable.Name, write.Target.Syntax.ToString());
                    break;
                }
            }
        }
    }

    /// <summary>Whether giving the transaction in place of the write's target still calls the same operation.</summary>
    private static bool CanRoute(StateWrite write, UnitOfWork unit)
    {
        if (unit.Variable.Name is "" or "_")
        {
            return false;
        }

        var first = write.Kind == StateWriteKind.Generated ? write.Invocation.Arguments[0].Parameter?.Type.Name : null;
        return write.Kind switch
        {
            StateWriteKind.Owner => !unit.IsScoped,
            StateWriteKind.Scoped => unit.IsScoped,
            // Notes.SaveAsync(context.State | context, …) has an IScopedStateOperations overload; Board.SaveAsync(store, guildId, …) takes IStateOperations.
            StateWriteKind.Generated => unit.IsScoped ? first is "IScopedStateOperations" or "AgentContext" : first == "IStateOperations",
            _ => false,
        };
    }

    /// <summary>Whether the lock covers the written record: the same owner, and the same key or the whole owner.</summary>
    private static bool LocksWrittenKey(UnitOfWork unit, StateWrite write, KnownTypes known, CancellationToken cancellationToken)
    {
        if (unit.Acquire is not { } acquire || write.Owner is null
            || OperationValues.ArgumentOfType(acquire, known.StateOwner)?.Value is not { } lockedOwner
            || !SameValue(lockedOwner, write.Owner, cancellationToken))
        {
            return false;
        }

        var lockedKey = OperationValues.ArgumentOf(acquire, "key");
        if (lockedKey is null || lockedKey.ConstantValue is { HasValue: true, Value: null })
        {
            return true;
        }

        return OperationValues.ArgumentOf(write.Invocation, "key") is { } writtenKey && SameValue(lockedKey, writtenKey, cancellationToken);
    }

    /// <summary>The same constant, the same variable, or the same expression written twice.</summary>
    private static bool SameValue(IOperation left, IOperation right, CancellationToken cancellationToken)
    {
        var a = OperationValues.Unwrap(left);
        var b = OperationValues.Unwrap(right);
        if (a.ConstantValue.HasValue && b.ConstantValue.HasValue)
        {
            return Equals(a.ConstantValue.Value, b.ConstantValue.Value);
        }

        if (UnitOfWork.Referenced(a) is { } variable && KnownTypes.Same(variable, UnitOfWork.Referenced(b)))
        {
            return true;
        }

        return SyntaxFactory.AreEquivalent(
            OperationValues.Initial(a, cancellationToken).Syntax,
            OperationValues.Initial(b, cancellationToken).Syntax);
    }

    private static bool IsLockState(IOperation target, KnownTypes known, CancellationToken cancellationToken) =>
        OperationValues.Initial(target, cancellationToken) is IPropertyReferenceOperation { Property.Name: "State", Instance: { } instance }
        && KnownTypes.Is(instance.Type, known.StateLock);

    private static void Report(OperationBlockAnalysisContext context, DiagnosticDescriptor descriptor, StateWrite write, string? replacement, params object[] arguments)
    {
        var properties = replacement is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(ReplacementProperty, replacement);
        context.ReportDiagnostic(Diagnostic.Create(descriptor, write.Target.Syntax.GetLocation(), properties, arguments));
    }
}
