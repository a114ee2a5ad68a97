using Microsoft.CodeAnalysis;

namespace TypedState.Analyzers;

/// <summary>
/// The TypedState symbols the analyzers look for, resolved once per compilation. <see cref="TryCreate"/> returns
/// null when the compilation does not reference TypedState, so no analyzer registers anything there.
/// </summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation, INamedTypeSymbol stateOwner)
    {
        StateOwner = stateOwner;
        Scope = compilation.GetTypeByMetadataName("TypedState.Scope");
        StateOperations = compilation.GetTypeByMetadataName("TypedState.IStateOperations");
        StateManager = compilation.GetTypeByMetadataName("TypedState.IStateManager");
        StateTransaction = compilation.GetTypeByMetadataName("TypedState.IStateTransaction");
        ScopedOperations = compilation.GetTypeByMetadataName("TypedState.IScopedStateOperations");
        ScopedState = compilation.GetTypeByMetadataName("TypedState.IScopedState");
        ScopedTransaction = compilation.GetTypeByMetadataName("TypedState.IScopedStateTransaction");
        StateLock = compilation.GetTypeByMetadataName("TypedState.IStateLock");
        OperationsExtensions = compilation.GetTypeByMetadataName("TypedState.StateOperationsExtensions");
        ScopedExtensions = compilation.GetTypeByMetadataName("TypedState.ScopedStateExtensions");
        ManagerExtensions = compilation.GetTypeByMetadataName("TypedState.StateManagerExtensions");
        AgentContext = compilation.GetTypeByMetadataName("TypedState.Guilds.AgentContext");
        MessageHandler = compilation.GetTypeByMetadataName("TypedState.Guilds.IMessageHandler`1");
        AgentStateAttribute = compilation.GetTypeByMetadataName("TypedState.AgentStateAttribute");
        GuildStateAttribute = compilation.GetTypeByMetadataName("TypedState.GuildStateAttribute");
        GlobalStateAttribute = compilation.GetTypeByMetadataName("TypedState.GlobalStateAttribute");
        TrackedState = compilation.GetTypeByMetadataName("TypedState.TrackedState`1");
        WritesStateAttribute = compilation.GetTypeByMetadataName("TypedState.Guilds.WritesStateAttribute");
    }

    public INamedTypeSymbol StateOwner { get; }

    public INamedTypeSymbol? Scope { get; }

    public INamedTypeSymbol? StateOperations { get; }

    public INamedTypeSymbol? StateManager { get; }

    public INamedTypeSymbol? StateTransaction { get; }

    public INamedTypeSymbol? ScopedOperations { get; }

    public INamedTypeSymbol? ScopedState { get; }

    public INamedTypeSymbol? ScopedTransaction { get; }

    public INamedTypeSymbol? StateLock { get; }

    public INamedTypeSymbol? OperationsExtensions { get; }

    public INamedTypeSymbol? ScopedExtensions { get; }

    public INamedTypeSymbol? ManagerExtensions { get; }

    public INamedTypeSymbol? AgentContext { get; }

    public INamedTypeSymbol? MessageHandler { get; }

    public INamedTypeSymbol? AgentStateAttribute { get; }

    public INamedTypeSymbol? GuildStateAttribute { get; }

    public INamedTypeSymbol? GlobalStateAttribute { get; }

    public INamedTypeSymbol? TrackedState { get; }

    public INamedTypeSymbol? WritesStateAttribute { get; }

    public static KnownTypes? TryCreate(Compilation compilation) =>
        compilation.GetTypeByMetadataName("TypedState.StateOwner") is { } stateOwner ? new KnownTypes(compilation, stateOwner) : null;

    /// <summary>Whether <paramref name="method"/> belongs to the state API: the manager, transactions, scoped state or their extensions.</summary>
    public bool IsStateApi(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        return type is not null
            && (Same(type, StateOperations) || Same(type, StateManager) || Same(type, StateTransaction)
                || Same(type, ScopedOperations) || Same(type, ScopedState) || Same(type, ScopedTransaction)
                || Same(type, OperationsExtensions) || Same(type, ScopedExtensions) || Same(type, ManagerExtensions)
                || Same(type, StateOwner));
    }

    /// <summary>Whether a call of <paramref name="method"/> goes through an owner-addressed API (manager, transaction or their extensions).</summary>
    public bool IsOwnerApi(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        return type is not null
            && (Same(type, StateOperations) || Same(type, StateManager) || Same(type, StateTransaction) || Same(type, OperationsExtensions));
    }

    /// <summary>Whether a call of <paramref name="method"/> goes through agent-bound state (<c>context.State</c>, <c>ForAgent</c>) or its extensions.</summary>
    public bool IsScopedApi(IMethodSymbol method)
    {
        var type = method.ContainingType?.OriginalDefinition;
        return type is not null
            && (Same(type, ScopedOperations) || Same(type, ScopedState) || Same(type, ScopedTransaction) || Same(type, ScopedExtensions));
    }

    /// <summary>The scope a state type declares with its attribute, or null for any other type.</summary>
    public StateScope? ScopeOfStateType(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named)
        {
            return null;
        }

        foreach (var attribute in named.GetAttributes())
        {
            var attributeClass = attribute.AttributeClass;
            if (Same(attributeClass, AgentStateAttribute))
            {
                return StateScope.Agent;
            }

            if (Same(attributeClass, GuildStateAttribute))
            {
                return StateScope.Guild;
            }

            if (Same(attributeClass, GlobalStateAttribute))
            {
                return StateScope.Global;
            }
        }

        return null;
    }

    /// <summary>Whether a value of <paramref name="type"/> is a transaction (its writes are part of its commit).</summary>
    public bool IsTransaction(ITypeSymbol? type) =>
        type is not null && (Is(type, StateTransaction) || Is(type, ScopedTransaction));

    /// <summary>Whether <paramref name="type"/> is <paramref name="known"/> or implements it.</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known)
    {
        if (type is null || known is null)
        {
            return false;
        }

        if (Same(type.OriginalDefinition, known))
        {
            return true;
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (Same(implemented.OriginalDefinition, known))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Same(ISymbol? symbol, ISymbol? known) =>
        known is not null && SymbolEqualityComparer.Default.Equals(symbol, known);
}
