using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedState.Analyzers;

/// <summary>
/// Rule 4, third part (TSTATE2006): a handler that writes two scopes (its agent's state and the guild's, say) with
/// separate writes. Each is atomic on its own, the pair is not: a crash or a conflict between them leaves the guild
/// updated and the agent not. Reported once per handler, at the first write to a second scope.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonAtomicWritesAnalyzer : StateAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.NonAtomicWrites];

    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes known) =>
        context.RegisterOperationBlockAction(c =>
        {
            if (Handler.TryCreate(c.OwningSymbol, known) is { } handler)
            {
                foreach (var block in c.OperationBlocks)
                {
                    AnalyzeBody(c, block, handler, known);
                }
            }
        });

    private static void AnalyzeBody(OperationBlockAnalysisContext context, IOperation body, Handler handler, KnownTypes known)
    {
        var cancellationToken = context.CancellationToken;
        var invocations = OperationValues.InvocationsIn(body);

        var units = UnitOfWork.Find(body, invocations, known);
        StateWrite? first = null;
        foreach (var invocation in invocations)
        {
            if (StateWrite.Classify(invocation, known, cancellationToken) is not { Scope: { } scope } write
                || write.IsTransactional(known, cancellationToken) || InsideTransaction(units, invocation.Syntax.SpanStart))
            {
                continue;
            }

            if (first is null)
            {
                first = write;
            }
            else if (first.Scope != scope)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.NonAtomicWrites,
                    invocation.Syntax.GetLocation(),
                    handler.Method.ContainingType.Name,
                    first.Scope.GetValueOrDefault().Text(),
                    first.Key,
                    scope.Text(),
                    write.Key));
                return;
            }
        }
    }

    // A write the transaction should have taken is TSTATE2004's concern, not a second non-atomic write.
    private static bool InsideTransaction(List<UnitOfWork> units, int position)
    {
        foreach (var unit in units)
        {
            if (!unit.IsLock && unit.IsOpenAt(position))
            {
                return true;
            }
        }

        return false;
    }
}
