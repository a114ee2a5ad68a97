using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// Rule 3 (TSTATE2003): a handler writes guild or global state that its agent class does not declare with
/// <c>[WritesState(Scope.Guild)]</c> or <c>[WritesState(typeof(T))]</c>. Shared state is changed by several agents;
/// the declarations make the set of writers visible in the code and keep it from growing unnoticed. The diagnostic
/// carries the declaration to add, for the code fix.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndeclaredSharedWriteAnalyzer : StateAnalyzer
{
    /// <summary>The property of a diagnostic holding the attribute argument to declare: <c>typeof(global::N.T)</c> or <c>global::TypedState.Scope.Guild</c>.</summary>
    public const string DeclarationProperty = "Declaration";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.UndeclaredSharedWrite];

    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes known)
    {
        if (known.WritesStateAttribute is null)
        {
            return;
        }

        context.RegisterOperationBlockStartAction(block =>
        {
            if (Handler.TryCreate(block.OwningSymbol, known) is { } handler)
            {
                block.RegisterOperationAction(c => AnalyzeInvocation(c, handler, known), OperationKind.Invocation);
            }
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, Handler handler, KnownTypes known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (StateWrite.Classify(invocation, known, context.CancellationToken) is not { Scope: StateScope.Guild or StateScope.Global } write)
        {
            return;
        }

        var scope = write.Scope.GetValueOrDefault();
        var stateType = StateTypeOf(write, known);
        var agent = handler.Method.ContainingType;
        if (IsDeclared(agent, scope, stateType, known))
        {
            return;
        }

        var declaration = stateType is null
            ? $"global::TypedState.Scope.{scope}"
            : $"typeof({stateType.ToDisplayString(stateType.ContainingNamespace.IsGlobalNamespace ? SymbolDisplayFormat.MinimallyQualifiedFormat : SymbolDisplayFormat.FullyQualifiedFormat)})";
        var shown = stateType is null ? $"Scope.{scope}" : $"typeof({stateType.Name})";
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.UndeclaredSharedWrite,
            invocation.Syntax.GetLocation(),
            ImmutableDictionary<string, string?>.Empty.Add(DeclarationProperty, declaration),
            agent.Name,
            scope.Text(),
            write.Key,
            shown));
    }

    /// <summary>The state type written, when the write names one (a generated accessor, tracked state or <c>SetAsync&lt;T&gt;</c> of a state type).</summary>
    private static ITypeSymbol? StateTypeOf(StateWrite write, KnownTypes known)
    {
        var method = write.Invocation.TargetMethod;
        var candidate = write.Kind switch
        {
            StateWriteKind.Generated => method.ContainingType,
            StateWriteKind.Tracked => method.ContainingType.TypeArguments[0],
            _ => method.TypeArguments.Length == 1 ? method.TypeArguments[0] : null,
        };
        return known.ScopeOfStateType(candidate) is null ? null : candidate;
    }

    /// <summary>Whether the agent (or a base class) declares the scope, or the state type written.</summary>
    private static bool IsDeclared(INamedTypeSymbol agent, StateScope scope, ITypeSymbol? stateType, KnownTypes known)
    {
        for (var type = agent; type is not null; type = type.BaseType)
        {
            foreach (var attribute in type.GetAttributes())
            {
                if (!KnownTypes.Same(attribute.AttributeClass, known.WritesStateAttribute) || attribute.ConstructorArguments.Length != 1)
                {
                    continue;
                }

                var argument = attribute.ConstructorArguments[0];
                if (argument.Kind == TypedConstantKind.Enum && argument.Value is int declared && (StateScope)declared == scope)
                {
                    return true;
                }

                if (argument.Kind == TypedConstantKind.Type && stateType is not null && KnownTypes.Same(argument.Value as ITypeSymbol, stateType))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
