using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>
/// Reads [JsonPolymorphic] and [JsonDerivedType] of a reached class or interface into a <see cref="PolymorphismModel"/>,
/// reaching each derived type it lists (a reached type of its own, its members including the base's).
/// </summary>
internal static class PolymorphismReader
{
    private const string DefaultPropertyName = "$type";

    /// <summary>Whether <paramref name="type"/> declares [JsonPolymorphic] or [JsonDerivedType] (either makes System.Text.Json polymorphic).</summary>
    public static bool IsPolymorphic(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is KnownNames.JsonPolymorphic or KnownNames.JsonDerivedType);

    /// <summary>
    /// The model, or null with the <paramref name="reason"/> it cannot be stored; <paramref name="derived"/> names the
    /// listed type the reason is about, <paramref name="ungenerated"/> says a derived type holds a state type that gets
    /// no serializer.
    /// </summary>
    public static PolymorphismModel? Read(
        INamedTypeSymbol type,
        ReachedTypes reached,
        EquatableArray<MemberModel> members,
        out string? reason,
        out string? derived,
        out bool ungenerated)
    {
        (reason, derived, ungenerated) = (null, null, false);
        var propertyName = DefaultPropertyName;
        var list = new List<DerivedTypeModel>();
        foreach (var attribute in type.GetAttributes())
        {
            var name = attribute.AttributeClass?.ToDisplayString();
            if (name == KnownNames.JsonPolymorphic)
            {
                reason = Options(attribute, ref propertyName);
            }
            else if (name == KnownNames.JsonDerivedType)
            {
                var entry = Derived(type, attribute, reached, list, out reason, out derived, out ungenerated);
                if (entry is not null)
                {
                    list.Add(entry);
                }
            }

            if (reason is not null || ungenerated)
            {
                return null;
            }
        }

        // System.Text.Json refuses a discriminator that is also a property's name; so does the generator, at build time.
        var clash = members.Select(m => (Member: m, Owner: (string?)null))
            .Concat(list.Select(d => reached.Model(d.Reached)).SelectMany(t => t?.Members.Select(m => (Member: m, Owner: (string?)t.Name)) ?? []))
            .FirstOrDefault(c => c.Member.JsonName == propertyName);
        if (clash.Member is not null)
        {
            derived = clash.Owner;
            reason = $"its member '{clash.Member.Name}' has the JSON name of the discriminator property '{propertyName}'; rename one (TypeDiscriminatorPropertyName or [JsonPropertyName])";
            return null;
        }

        return new PolymorphismModel(propertyName, list.ToEquatableArray());
    }

    private static string? Options(AttributeData attribute, ref string propertyName)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            switch (argument.Key)
            {
                case "TypeDiscriminatorPropertyName" when argument.Value.Value is string { Length: > 0 } text:
                    propertyName = text;
                    break;
                case "UnknownDerivedTypeHandling" when argument.Value.Value is int handling && handling != 0:
                    return "only UnknownDerivedTypeHandling.FailSerialization (the default) is supported: list every derived type that is stored with [JsonDerivedType]";
                case "IgnoreUnrecognizedTypeDiscriminators" when argument.Value.Value is true:
                    return "IgnoreUnrecognizedTypeDiscriminators is not supported: an unknown discriminator is a corrupt record; remove the option";
            }
        }

        return null;
    }

    private static DerivedTypeModel? Derived(
        INamedTypeSymbol type,
        AttributeData attribute,
        ReachedTypes reached,
        List<DerivedTypeModel> list,
        out string? reason,
        out string? derivedName,
        out bool ungenerated)
    {
        (reason, derivedName, ungenerated) = (null, null, false);
        var arguments = attribute.ConstructorArguments;
        if (arguments.Length == 0 || arguments[0].Value is not INamedTypeSymbol derived)
        {
            return null;
        }

        derivedName = derived.Name;
        (string? Text, bool IsNumber) discriminator = arguments.Length < 2 ? (null, false) : arguments[1].Value switch
        {
            string text => (text, false),
            int number => (number.ToString(CultureInfo.InvariantCulture), true),
            _ => (null, false),
        };
        reason = Problem(type, derived);
        if (reason is not null)
        {
            return null;
        }

        var index = reached.Reach(derived, out reason, out ungenerated, out _);
        if (index < 0)
        {
            reason ??= ungenerated ? null : "it cannot be read";
            return null;
        }

        if (list.Any(d => d.Reached == index))
        {
            reason = "it is listed twice";
            return null;
        }

        if (discriminator.Text is not null && list.Any(d => d.Discriminator == discriminator.Text && d.IsNumber == discriminator.IsNumber))
        {
            reason = $"its discriminator {discriminator.Text} is another derived type's too";
            return null;
        }

        return new DerivedTypeModel(index, discriminator.Text, discriminator.IsNumber);
    }

    /// <summary>Why a listed type cannot be a stored derived type of <paramref name="type"/>, or null.</summary>
    private static string? Problem(INamedTypeSymbol type, INamedTypeSymbol derived)
    {
        if (SymbolEqualityComparer.Default.Equals(derived, type))
        {
            // A concrete reached base may list itself, to be written with a discriminator of its own.
            return TypeShapeResolver.IsStateType(type) ? "it is the part itself; list the types deriving from it"
                : type.IsAbstract ? "it is abstract (an instance is never of exactly that type)"
                : null;
        }

        var derives = type.TypeKind == TypeKind.Interface
            ? derived.AllInterfaces.Contains(type, SymbolEqualityComparer.Default)
            : Ancestors(derived).Contains(type, SymbolEqualityComparer.Default);
        if (!derives)
        {
            return $"it does not derive from '{type.Name}'";
        }

        if (derived.IsAbstract || derived.TypeKind == TypeKind.Interface)
        {
            return "it is abstract (an instance is never of exactly that type)";
        }

        if (TypeShapeResolver.IsStateType(derived))
        {
            return "it is a state type or part (derived types are plain classes, reached through the base)";
        }

        return ReachedTypes.IsCandidate(derived) ? null : "it is not a non-generic class or struct of the user's without a converter";
    }

    private static IEnumerable<INamedTypeSymbol> Ancestors(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            yield return current;
        }
    }
}
