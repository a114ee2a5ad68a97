using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// What an owner argument is known to be: <c>StateOwner.Agent(g, a)</c>, <c>StateOwner.Guild(g)</c> or
/// <c>StateOwner.Global</c>, written at the call or in the initializer of a local passed to it.
/// </summary>
internal sealed class OwnerExpression
{
    private OwnerExpression(StateScope scope, IOperation? guildId, IOperation? agentId)
    {
        Scope = scope;
        GuildId = guildId;
        AgentId = agentId;
    }

    public StateScope Scope { get; }

    /// <summary>The guild id argument of <c>Agent</c> or <c>Guild</c>.</summary>
    public IOperation? GuildId { get; }

    /// <summary>The agent id argument of <c>Agent</c>.</summary>
    public IOperation? AgentId { get; }

    /// <summary>Reads <paramref name="operation"/> as an owner, or null when it is not written as one of the three factories.</summary>
    public static OwnerExpression? Resolve(IOperation operation, KnownTypes known, CancellationToken cancellationToken)
    {
        var value = OperationValues.Initial(operation, cancellationToken);
        switch (value)
        {
            case IPropertyReferenceOperation { Property.Name: "Global" } global
                when SymbolEqualityComparer.Default.Equals(global.Property.ContainingType, known.StateOwner):
                return new OwnerExpression(StateScope.Global, null, null);
            case IInvocationOperation invocation when SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, known.StateOwner):
                return invocation.TargetMethod.Name switch
                {
                    "Agent" when invocation.Arguments.Length == 2 =>
                        new OwnerExpression(StateScope.Agent, OperationValues.ArgumentOf(invocation, "guildId"), OperationValues.ArgumentOf(invocation, "agentId")),
                    "Guild" when invocation.Arguments.Length == 1 =>
                        new OwnerExpression(StateScope.Guild, OperationValues.ArgumentOf(invocation, "guildId"), null),
                    _ => null,
                };
            default:
                return null;
        }
    }
}
