using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// A call that writes state (set, delete, update or save), whichever API it goes through: what it writes through (its
/// target), and the scope and key when they are known at compile time.
/// </summary>
internal sealed class StateWrite
{
    private StateWrite(IInvocationOperation invocation, StateWriteKind kind, IOperation target, StateScope? scope, IOperation? owner, string key)
    {
        Invocation = invocation;
        Kind = kind;
        Target = target;
        Scope = scope;
        Owner = owner;
        Key = key;
    }

    public IInvocationOperation Invocation { get; }

    public StateWriteKind Kind { get; }

    /// <summary>What the write goes through: the manager, scoped state, context, store or tracked state expression.</summary>
    public IOperation Target { get; }

    /// <summary>The scope written, when known.</summary>
    public StateScope? Scope { get; }

    /// <summary>The owner argument of an owner-addressed write.</summary>
    public IOperation? Owner { get; }

    /// <summary>The key as a message shows it: the constant, the type's key, or the expression.</summary>
    public string Key { get; }

    /// <summary>Reads <paramref name="invocation"/> as a write, or null when it does not write state.</summary>
    public static StateWrite? Classify(IInvocationOperation invocation, KnownTypes known, CancellationToken cancellationToken)
    {
        var method = invocation.TargetMethod;
        if (method.Name is not ("SetAsync" or "DeleteAsync" or "UpdateAsync" or "SaveAsync"))
        {
            return null;
        }

        if (method.Name != "SaveAsync" && known.IsOwnerApi(method) && Receiver(invocation) is { } managerTarget)
        {
            var owner = OperationValues.ArgumentOfType(invocation, known.StateOwner)?.Value;
            var scope = owner is null ? null : OwnerExpression.Resolve(owner, known, cancellationToken)?.Scope;
            return new StateWrite(invocation, StateWriteKind.Owner, managerTarget, scope, owner, KeyText(invocation));
        }

        if (method.Name != "SaveAsync" && known.IsScopedApi(method) && Receiver(invocation) is { } scopedTarget)
        {
            var scope = OperationValues.ArgumentOfType(invocation, known.Scope)?.Value.ConstantValue is { HasValue: true, Value: int value }
                ? (StateScope?)value
                : null;
            return new StateWrite(invocation, StateWriteKind.Scoped, scopedTarget, scope, null, KeyText(invocation));
        }

        if (method.IsStatic && known.ScopeOfStateType(method.ContainingType) is { } declared && invocation.Arguments.Length > 0
            && invocation.Arguments[0].Parameter?.Type is { } first
            && (KnownTypes.Is(first, known.StateOperations) || KnownTypes.Is(first, known.ScopedOperations) || KnownTypes.Same(first, known.AgentContext)))
        {
            return new StateWrite(invocation, StateWriteKind.Generated, invocation.Arguments[0].Value, declared, null, StateKey(method.ContainingType));
        }

        if (!method.IsStatic && method.Name is "SaveAsync" or "DeleteAsync" && invocation.Instance is { } tracked
            && KnownTypes.Same(method.ContainingType.OriginalDefinition, known.TrackedState)
            && method.ContainingType.TypeArguments.Length == 1)
        {
            var stateType = method.ContainingType.TypeArguments[0];
            return new StateWrite(invocation, StateWriteKind.Tracked, tracked, known.ScopeOfStateType(stateType), null, StateKey(stateType));
        }

        return null;
    }

    /// <summary>Whether the write is buffered in a transaction: its target is one, or (tracked state) was loaded through one.</summary>
    public bool IsTransactional(KnownTypes known, CancellationToken cancellationToken)
    {
        if (known.IsTransaction(OperationValues.Unwrap(Target).Type))
        {
            return true;
        }

        return Kind == StateWriteKind.Tracked
            && OperationValues.Initial(Target, cancellationToken) is IInvocationOperation { Arguments.Length: > 0 } load
            && known.IsTransaction(OperationValues.Unwrap(load.Arguments[0].Value).Type);
    }

    private static IOperation? Receiver(IInvocationOperation invocation) =>
        invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : invocation.Instance;

    private static string KeyText(IInvocationOperation invocation) =>
        OperationValues.ArgumentOf(invocation, "key") is { } key
            ? key.ConstantValue is { HasValue: true, Value: string text } ? text : key.Syntax.ToString()
            : "?";

    /// <summary>The key a state type is stored under: its attribute's <c>Key</c>, else its name.</summary>
    private static string StateKey(ITypeSymbol type)
    {
        foreach (var attribute in type.GetAttributes())
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == "Key" && argument.Value.Value is string key)
                {
                    return key;
                }
            }
        }

        return type.Name;
    }
}
