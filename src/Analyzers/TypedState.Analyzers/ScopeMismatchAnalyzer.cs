using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// Rule 2 (TSTATE2002): a state type read or written through the untyped API with an owner or a <c>Scope</c> of
/// another scope than its attribute declares. The store does not check it: the record lands in the other scope's
/// lifetime (an agent's memory kept after the agent is removed, or shared by the whole guild).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScopeMismatchAnalyzer : StateAnalyzer
{
    /// <summary>The property of a diagnostic on a <c>Scope</c> constant naming the scope to use instead (for the code fix).</summary>
    public const string ScopeProperty = "Scope";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.ScopeMismatch];

    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes known) =>
        context.RegisterOperationAction(c => AnalyzeInvocation(c, known), OperationKind.Invocation);

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.TypeArguments.Length != 1 || known.ScopeOfStateType(method.TypeArguments[0]) is not { } declared)
        {
            return;
        }

        if (known.IsOwnerApi(method))
        {
            if (OperationValues.ArgumentOfType(invocation, known.StateOwner) is { } argument
                && OwnerExpression.Resolve(argument.Value, known, context.CancellationToken) is { } owner
                && owner.Scope != declared)
            {
                Report(context, argument.Value, method, declared, OwnerPhrase(owner.Scope), OwnerFix(declared), null);
            }
        }
        else if (known.IsScopedApi(method)
            && OperationValues.ArgumentOfType(invocation, known.Scope) is { } argument
            && argument.Value.ConstantValue is { HasValue: true, Value: int value }
            && (StateScope)value is var used and (StateScope.Agent or StateScope.Guild or StateScope.Global)
            && used != declared)
        {
            Report(context, argument.Value, method, declared, $"Scope.{used}", $"Scope.{declared}", declared.ToString());
        }
    }

    private static void Report(OperationAnalysisContext context, IOperation at, IMethodSymbol method, StateScope declared, string used, string fix, string? scope) =>
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.ScopeMismatch,
            at.Syntax.GetLocation(),
            scope is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(ScopeProperty, scope),
            method.TypeArguments[0].Name,
            declared.Text(),
            IsRead(method) ? "read" : "written",
            used,
            fix));

    private static bool IsRead(IMethodSymbol method) => method.Name.StartsWith("Get", System.StringComparison.Ordinal) || method.Name == "ListAsync";

    private static string OwnerPhrase(StateScope scope) => scope switch
    {
        StateScope.Agent => "an agent owner",
        StateScope.Guild => "a guild owner",
        _ => "the global owner",
    };

    private static string OwnerFix(StateScope scope) => scope switch
    {
        StateScope.Agent => "StateOwner.Agent(guildId, agentId)",
        StateScope.Guild => "StateOwner.Guild(guildId)",
        _ => "StateOwner.Global",
    };
}
