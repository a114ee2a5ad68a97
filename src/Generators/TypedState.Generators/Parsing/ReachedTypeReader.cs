using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>
/// Reads a reached type (a member type without a state attribute) into a <see cref="ReachedTypeModel"/>, choosing its
/// constructor as System.Text.Json does: the one marked [JsonConstructor], else the public parameterless one, else the
/// only public one, its parameters matched to members by name ignoring case.
/// </summary>
internal static class ReachedTypeReader
{
    private const string JsonConstructor = "System.Text.Json.Serialization.JsonConstructorAttribute";
    private const string SetsRequiredMembers = "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute";

    /// <summary>
    /// The model, or null with the <paramref name="reason"/> it cannot be stored (null when <paramref name="ungenerated"/>:
    /// it holds a state type that gets no serializer, whose own errors are reported).
    /// </summary>
    public static ReachedTypeModel? Read(
        INamedTypeSymbol type,
        TypeShapeResolver resolver,
        IAssemblySymbol assembly,
        CancellationToken cancellationToken,
        out string? reason,
        out bool ungenerated,
        out string? derived)
    {
        (ungenerated, derived) = (false, null);
        var polymorphic = PolymorphismReader.IsPolymorphic(type);
        reason = Structural(type, assembly, polymorphic);
        if (reason is not null)
        {
            return null;
        }

        // An abstract class or an interface is stored through its derived types only: no members, no constructor.
        if (type.IsAbstract)
        {
            var derivedTypes = PolymorphismReader.Read(type, resolver.Reached, EquatableArray<MemberModel>.Empty, out reason, out derived, out ungenerated);
            return derivedTypes is null
                ? null
                : new ReachedTypeModel(TypeShapeResolver.NameOf(type), type.Name, false, EquatableArray<MemberModel>.Empty, EquatableArray<ConstructorArgument>.Empty, ReachedConstruction.New, IsAbstract: true, derivedTypes);
        }

        var diagnostics = new List<DiagnosticInfo>();
        var members = MemberReader.Read(type, resolver, diagnostics, cancellationToken, out ungenerated, reached: true);
        if (ungenerated)
        {
            return null;
        }

        if (diagnostics.Count > 0)
        {
            reason = diagnostics[0].ToDiagnostic().GetMessage(CultureInfo.InvariantCulture);
            return null;
        }

        var constructor = ChooseConstructor(type);
        if (constructor is null)
        {
            reason = "it has no public parameterless constructor and not exactly one public constructor; mark the one to use [JsonConstructor]";
            return null;
        }

        var arguments = new List<ConstructorArgument>();
        foreach (var parameter in constructor.Parameters)
        {
            var index = members.FindIndex(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                reason = $"its constructor parameter '{parameter.Name}' has no stored property of the same name";
                return null;
            }

            if (TypeShapeResolver.NameOf(parameter.Type) != members[index].Type.TypeName)
            {
                reason = $"its constructor parameter '{parameter.Name}' is of another type than the property '{members[index].Name}'";
                return null;
            }

            members[index] = members[index] with { ConstructorIndex = arguments.Count, Populate = false };
            arguments.Add(new ConstructorArgument(index, ParameterDefaults.Of(parameter)));
        }

        if (members.FirstOrDefault(m => m.GetOnly && m.ConstructorIndex < 0 && !m.Populate) is { } getOnly)
        {
            reason = $"its property '{getOnly.Name}' is get-only and no constructor parameter sets it; add a setter (init or private will do) or a constructor parameter";
            return null;
        }

        PolymorphismModel? polymorphism = null;
        if (polymorphic && (polymorphism = PolymorphismReader.Read(type, resolver.Reached, members.ToEquatableArray(), out reason, out derived, out ungenerated)) is null)
        {
            return null;
        }

        var model = new ReachedTypeModel(
            TypeShapeResolver.NameOf(type),
            type.Name,
            type.IsValueType,
            members.ToEquatableArray(),
            arguments.ToEquatableArray(),
            Construction(type, constructor, assembly),
            Polymorphism: polymorphism);
        return model;
    }

    private static string? Structural(INamedTypeSymbol type, IAssemblySymbol assembly, bool polymorphic)
    {
        if (type.IsAbstract && !polymorphic)
        {
            return "it is abstract (declare its derived types with [JsonDerivedType] to store them through it)";
        }

        if (type.IsRefLikeType)
        {
            return "it is a ref struct";
        }

        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (!IsAccessible(current, assembly))
            {
                return $"'{current.Name}' is not public (nor internal to this assembly), so generated code cannot name it";
            }
        }

        return null;
    }

    private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type)
    {
        var constructors = type.InstanceConstructors;
        if (constructors.FirstOrDefault(c => c.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == JsonConstructor)) is { } marked)
        {
            return marked;
        }

        var accessible = constructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        return accessible.FirstOrDefault(c => c.Parameters.Length == 0) ?? (accessible.Count == 1 ? accessible[0] : null);
    }

    /// <summary>
    /// A plain <c>new</c> where the compiler allows it: an accessible constructor, and no required member left to set
    /// (the reader checks required members itself, as System.Text.Json does, and sets each one it reads).
    /// </summary>
    private static ReachedConstruction Construction(INamedTypeSymbol type, IMethodSymbol constructor, IAssemblySymbol assembly)
    {
        var setsRequired = constructor.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == SetsRequiredMembers);
        var hasRequired = false;
        for (var current = type; current is not null && !setsRequired; current = current.BaseType)
        {
            hasRequired |= current.GetMembers().Any(m => m is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true });
        }

        if (IsAccessible(constructor, assembly) && !hasRequired)
        {
            return ReachedConstruction.New;
        }

        // A struct's implicit parameterless constructor is no method an accessor can call.
        return type.IsValueType && constructor.IsImplicitlyDeclared ? ReachedConstruction.Default : ReachedConstruction.Accessor;
    }

    private static bool IsAccessible(ISymbol symbol, IAssemblySymbol assembly) =>
        symbol.DeclaredAccessibility switch
        {
            Accessibility.Public => true,
            Accessibility.Internal or Accessibility.ProtectedOrInternal => SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, assembly),
            _ => false,
        };
}
