using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// Rule 1 (TSTATE2001): a message handler that writes agent-scoped state of another agent than the one it runs for,
/// through <c>StateOwner.Agent(guild, other)</c>, <c>ForAgent(guild, other)</c>, or another agent's context given to
/// a generated accessor. Agent state is private to its agent; the guild's runtime gives each handler only its own.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ForeignAgentWriteAnalyzer : StateAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.ForeignAgentWrite];

    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes known) =>
        context.RegisterOperationBlockStartAction(block =>
        {
            if (Handler.TryCreate(block.OwningSymbol, known) is { } handler)
            {
                block.RegisterOperationAction(c => AnalyzeInvocation(c, handler, known), OperationKind.Invocation);
            }
        });

    private static void AnalyzeInvocation(OperationAnalysisContext context, Handler handler, KnownTypes known)
    {
        var cancellationToken = context.CancellationToken;
        if (StateWrite.Classify((IInvocationOperation)context.Operation, known, cancellationToken) is not { } write)
        {
            return;
        }

        switch (write.Kind)
        {
            case StateWriteKind.Owner when write.Owner is { } ownerArgument
                && OwnerExpression.Resolve(ownerArgument, known, cancellationToken) is { Scope: StateScope.Agent } owner
                && !(handler.IsOwnId(owner.AgentId, "AgentId", cancellationToken) && handler.IsOwnId(owner.GuildId, "GuildId", cancellationToken)):
                Report(context, handler, write, ownerArgument, owner.AgentId);
                break;
            case StateWriteKind.Scoped or StateWriteKind.Generated when write.Scope == StateScope.Agent
                && ForeignAgentOf(write.Target, handler, known, cancellationToken) is { } agent:
                Report(context, handler, write, write.Target, agent);
                break;
            default:
                break;
        }
    }

    /// <summary>The agent id (or context) a scoped target belongs to when it is not the handler's own, else null.</summary>
    private static IOperation? ForeignAgentOf(IOperation target, Handler handler, KnownTypes known, CancellationToken cancellationToken)
    {
        var value = OperationValues.Initial(target, cancellationToken);
        if (value is IInvocationOperation { TargetMethod.Name: "ForAgent" } forAgent
            && KnownTypes.Same(forAgent.TargetMethod.ContainingType, known.ManagerExtensions))
        {
            var agentId = OperationValues.ArgumentOf(forAgent, "agentId");
            var own = handler.IsOwnId(agentId, "AgentId", cancellationToken)
                && handler.IsOwnId(OperationValues.ArgumentOf(forAgent, "guildId"), "GuildId", cancellationToken);
            return own ? null : agentId;
        }

        if (value is IPropertyReferenceOperation { Property.Name: "State", Instance: { } instance } && handler.IsContextType(instance.Type))
        {
            return handler.IsOwnContext(instance, cancellationToken) ? null : instance;
        }

        return handler.IsContextType(value.Type) && !handler.IsOwnContext(value, cancellationToken) ? value : null;
    }

    private static void Report(OperationAnalysisContext context, Handler handler, StateWrite write, IOperation at, IOperation? agent)
    {
        var who = agent switch
        {
            { ConstantValue: { HasValue: true, Value: string id } } => $"'{id}'",
            null => "(unknown)",
            _ => agent.Syntax.ToString(),
        };
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.ForeignAgentWrite, at.Syntax.GetLocation(), handler.Method.ContainingType.Name, write.Key, who));
    }
}
