using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// A method that handles an agent's messages (implements <c>IMessageHandler&lt;T&gt;.HandleAsync</c>), or a helper
/// method of a handler class that is handed the context, and its <c>AgentContext</c> parameter: the identity
/// everything it does is measured against.
/// </summary>
internal sealed class Handler
{
    private readonly KnownTypes _known;

    private Handler(IMethodSymbol method, IParameterSymbol context, KnownTypes known)
    {
        Method = method;
        Context = context;
        _known = known;
    }

    public IMethodSymbol Method { get; }

    public IParameterSymbol Context { get; }

    /// <summary>
    /// The handler <paramref name="symbol"/> is: an implementation of <c>IMessageHandler&lt;T&gt;.HandleAsync</c>, or
    /// another method of a handler class with an <c>AgentContext</c> parameter (a helper the handler delegates to, which
    /// writes on the same agent's behalf); null for anything else.
    /// </summary>
    public static Handler? TryCreate(ISymbol symbol, KnownTypes known)
    {
        if (symbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method || known.MessageHandler is null || known.AgentContext is null)
        {
            return null;
        }

        IParameterSymbol? context = null;
        foreach (var parameter in method.Parameters)
        {
            if (KnownTypes.Same(parameter.Type, known.AgentContext))
            {
                context = parameter;
            }
        }

        if (context is null)
        {
            return null;
        }

        foreach (var implemented in method.ContainingType.AllInterfaces)
        {
            if (!KnownTypes.Same(implemented.OriginalDefinition, known.MessageHandler))
            {
                continue;
            }

            if (method.Name != "HandleAsync")
            {
                return new Handler(method, context, known);
            }

            foreach (var member in implemented.GetMembers("HandleAsync"))
            {
                if (KnownTypes.Same(method.ContainingType.FindImplementationForInterfaceMember(member), method))
                {
                    return new Handler(method, context, known);
                }
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="operation"/> is this handler's own context (directly or through a local).</summary>
    public bool IsOwnContext(IOperation? operation, CancellationToken cancellationToken) =>
        operation is not null
        && OperationValues.Initial(operation, cancellationToken) is IParameterReferenceOperation parameter
        && KnownTypes.Same(parameter.Parameter, Context);

    /// <summary>Whether <paramref name="operation"/> is this handler's <c>context.State</c> (directly or through a local).</summary>
    public bool IsOwnState(IOperation? operation, CancellationToken cancellationToken) =>
        operation is not null
        && OperationValues.Initial(operation, cancellationToken) is IPropertyReferenceOperation { Property.Name: "State" } state
        && IsOwnContext(state.Instance, cancellationToken);

    /// <summary>
    /// Whether the id <paramref name="operation"/> is this handler's own <paramref name="property"/> (<c>AgentId</c> or
    /// <c>GuildId</c>) read from its context or its context's state, directly or through a local.
    /// </summary>
    public bool IsOwnId(IOperation? operation, string property, CancellationToken cancellationToken)
    {
        if (operation is null || OperationValues.Initial(operation, cancellationToken) is not IPropertyReferenceOperation reference)
        {
            return false;
        }

        if (reference.Property.Name == property)
        {
            return IsOwnContext(reference.Instance, cancellationToken) || IsOwnState(reference.Instance, cancellationToken);
        }

        // context.Guild.Id is the guild id too.
        return property == "GuildId" && reference.Property.Name == "Id"
            && reference.Instance is IPropertyReferenceOperation { Property.Name: "Guild" } guild
            && IsOwnContext(guild.Instance, cancellationToken);
    }

    /// <summary>Whether <paramref name="type"/> is the AgentContext type.</summary>
    public bool IsContextType(ITypeSymbol? type) => KnownTypes.Same(type, _known.AgentContext);
}
