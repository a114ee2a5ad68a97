using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// Rule 7 (TSTATE2009): a typed state loaded into a local (<c>var notes = await Notes.LoadAsync(...)</c>), changed
/// through its <c>Value</c>, and saved on no path: the change lives only in memory and is lost. Silent when the local
/// is saved or deleted anywhere in the method, or leaves the method's hands (passed, returned, stored, captured),
/// since someone else may save it; only changes the rule is sure of count (assignments into <c>Value</c> and calls of
/// well-known collection mutators on it).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnsavedStateAnalyzer : StateAnalyzer
{
    // Methods of the BCL collections that change them; anything else called on the value may or may not.
    private static readonly ImmutableHashSet<string> s_mutators = ImmutableHashSet.Create(
        "Add", "AddRange", "Clear", "Insert", "InsertRange", "Remove", "RemoveAll", "RemoveAt", "RemoveRange",
        "Push", "Pop", "Enqueue", "Dequeue", "TryAdd", "TryRemove", "Sort", "Reverse", "UnionWith", "ExceptWith",
        "IntersectWith", "SymmetricExceptWith");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.UnsavedState];

    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes known)
    {
        if (known.TrackedState is not null)
        {
            context.RegisterOperationAction(c => AnalyzeDeclarator(c, known), OperationKind.VariableDeclarator);
        }
    }

    private static void AnalyzeDeclarator(OperationAnalysisContext context, KnownTypes known)
    {
        var declarator = (IVariableDeclaratorOperation)context.Operation;
        var local = declarator.Symbol;
        if (local.Type is not INamedTypeSymbol { TypeArguments.Length: 1 } type
            || !KnownTypes.Same(type.OriginalDefinition, known.TrackedState)
            || declarator.GetVariableInitializer() is null
            || Body(declarator) is not { } body)
        {
            return;
        }

        var changed = false;
        foreach (var reference in body.Descendants().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Local, local))
            {
                continue;
            }

            switch (Use(reference, body))
            {
                case LocalUse.SavedOrEscaped:
                    return;
                case LocalUse.Changed:
                    changed = true;
                    break;
            }
        }

        if (changed)
        {
            var stateType = type.TypeArguments[0];
            var scope = known.ScopeOfStateType(stateType) is { } declared ? declared.ToString().ToLowerInvariant() : "typed";
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnsavedState, declarator.Syntax.GetLocation(), local.Name, stateType.Name, scope));
        }
    }

    /// <summary>The method, local function or lambda body the local lives in.</summary>
    private static IOperation? Body(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IMethodBodyOperation or IConstructorBodyOperation or ILocalFunctionOperation or IAnonymousFunctionOperation
                || current.Parent is null)
            {
                return current;
            }
        }

        return null;
    }

    private enum LocalUse
    {
        Read,
        Changed,
        SavedOrEscaped,
    }

    /// <summary>What one reference to the tracked local does with it.</summary>
    private static LocalUse Use(ILocalReferenceOperation reference, IOperation body)
    {
        // A reference inside a nested lambda or local function is a capture: the closure may save it.
        for (var current = reference.Parent; current is not null && current != body; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return LocalUse.SavedOrEscaped;
            }
        }

        switch (reference.Parent)
        {
            case IInvocationOperation { TargetMethod.Name: "SaveAsync" or "DeleteAsync" } call when call.Instance == reference:
                return LocalUse.SavedOrEscaped;
            case IPropertyReferenceOperation { Property.Name: "Value" } value when value.Instance == reference:
                return ValueUse(value);
            case IPropertyReferenceOperation property when property.Instance == reference:
                return LocalUse.Read;
            default:
                // Passed, returned, assigned, awaited with, pattern-matched...: it leaves this method's view.
                return LocalUse.SavedOrEscaped;
        }
    }

    /// <summary>
    /// What a use of <c>local.Value</c> does: handing the value itself on (an argument, an assignment, a return) may
    /// save it elsewhere; an assignment into it or a known mutator called on it (through any chain of members and
    /// indexers) changes it; anything else reads it.
    /// </summary>
    private static LocalUse ValueUse(IOperation value)
    {
        switch (value.Parent)
        {
            case IArgumentOperation or IReturnOperation or IVariableInitializerOperation or IConversionOperation:
            case IAssignmentOperation assignment when assignment.Value == value:
                return LocalUse.SavedOrEscaped;
        }

        var current = value;
        while (true)
        {
            var parent = current.Parent;
            switch (parent)
            {
                case IAssignmentOperation assignment when assignment.Target == current:
                case IIncrementOrDecrementOperation:
                    return LocalUse.Changed;
                case IInvocationOperation call when call.Instance == current:
                    return s_mutators.Contains(call.TargetMethod.Name) ? LocalUse.Changed : LocalUse.Read;
                case IMemberReferenceOperation member when member.Instance == current:
                case IArrayElementReferenceOperation element when element.ArrayReference == current:
                case IImplicitIndexerReferenceOperation indexer when indexer.Instance == current:
                    current = parent;
                    break;
                default:
                    return LocalUse.Read;
            }
        }
    }
}
