using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>
/// Decides how a member type is serialized, or that it cannot be (null). A state type or part is used through its
/// generated serializer, so it counts only when the willGenerate callback says that serializer will exist; a type without
/// a state attribute is reached (<see cref="ReachedTypes"/>).
/// </summary>
internal sealed class TypeShapeResolver
{
    private readonly HashSet<ITypeSymbol> _contextTypes;
    private readonly string? _contextName;
    private readonly Func<INamedTypeSymbol, bool> _willGenerate;

    public TypeShapeResolver(HashSet<ITypeSymbol> contextTypes, string? contextName, Func<INamedTypeSymbol, bool> willGenerate, IAssemblySymbol assembly, System.Threading.CancellationToken cancellationToken)
    {
        _contextTypes = contextTypes;
        _contextName = contextName;
        _willGenerate = willGenerate;
        Reached = new ReachedTypes(this, assembly, cancellationToken);
    }

    /// <summary>The types without a state attribute that the resolved members reach, and why one could not be stored.</summary>
    public ReachedTypes Reached { get; }

    private const int MaxDepth = 8;

    private static readonly SymbolDisplayFormat s_format = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static string NameOf(ITypeSymbol type) => type.ToDisplayString(s_format);

    private bool _ungenerated;
    private (string Name, string Reason, string? Derived)? _unstorable;

    /// <summary>
    /// The shape of <paramref name="type"/>, or null. <paramref name="ungenerated"/>: it is null because the type is,
    /// or holds, a state type or part that gets no generated serializer (its own diagnostics say why).
    /// <paramref name="unstorable"/>: it is null because the type is, or holds, a reached type that cannot be stored
    /// (its name, and why; for a polymorphic type, the derived type that is why).
    /// </summary>
    public TypeShape? Resolve(ITypeSymbol type, out bool ungenerated, out (string Name, string Reason, string? Derived)? unstorable)
    {
        var (outerUngenerated, outerUnstorable) = (_ungenerated, _unstorable);
        (_ungenerated, _unstorable) = (false, null);
        var shape = Resolve(type, 0);
        (ungenerated, unstorable) = (_ungenerated, _unstorable);

        // Reached types resolve their own members through this resolver, while an outer member is being resolved.
        (_ungenerated, _unstorable) = (outerUngenerated, outerUnstorable);
        return shape;
    }

    private TypeShape? Resolve(ITypeSymbol type, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        var name = NameOf(type);
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            var inner = Resolve(nullable.TypeArguments[0], depth + 1);
            return inner is null ? null : new TypeShape(ShapeKind.Nullable, name, Element: inner);
        }

        var primitive = PrimitiveOf(type);
        if (primitive != Primitive.None)
        {
            return new TypeShape(ShapeKind.Primitive, name, primitive);
        }

        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol { EnumUnderlyingType: { } underlying })
        {
            return new TypeShape(ShapeKind.Enum, name, PrimitiveOf(underlying), AsString: WantsStringEnum(type));
        }

        if (_contextName is not null && _contextTypes.Contains(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)))
        {
            return new TypeShape(ShapeKind.Context, name, SerializerContext: _contextName);
        }

        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            var element = Resolve(array.ElementType, depth + 1);
            return element is null ? null : new TypeShape(ShapeKind.Array, name, Element: element);
        }

        if (type is INamedTypeSymbol { IsGenericType: true } generic)
        {
            var definition = generic.OriginalDefinition.ToDisplayString();
            var args = generic.TypeArguments;
            switch (definition)
            {
                case "System.Collections.Generic.List<T>":
                case "System.Collections.Generic.IList<T>":
                case "System.Collections.Generic.ICollection<T>":
                case "System.Collections.Generic.IEnumerable<T>":
                case "System.Collections.Generic.IReadOnlyList<T>":
                case "System.Collections.Generic.IReadOnlyCollection<T>":
                    return Collection(ShapeKind.List, name, args[0], depth);
                case "System.Collections.Generic.HashSet<T>":
                case "System.Collections.Generic.ISet<T>":
                case "System.Collections.Generic.IReadOnlySet<T>":
                    return Collection(ShapeKind.Set, name, args[0], depth);
                case "System.Collections.Generic.Dictionary<TKey, TValue>":
                case "System.Collections.Generic.IDictionary<TKey, TValue>":
                case "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>":
                    return Dictionary(name, args, depth, finish: null);
            }

            // Immutable and frozen collections: read as the mutable one, then made by their creation method.
            if (s_finishes.TryGetValue(definition, out var finish))
            {
                return finish.Kind == ShapeKind.Dictionary
                    ? Dictionary(name, args, depth, finish.Method)
                    : Collection(finish.Kind, name, args[0], depth) is { } shape ? shape with { Finish = finish.Method } : null;
            }
        }

        if (type is INamedTypeSymbol named && IsStateType(named))
        {
            if (_willGenerate(named))
            {
                return new TypeShape(ShapeKind.Part, name);
            }

            _ungenerated = true;
            return null;
        }

        if (type is INamedTypeSymbol candidate && ReachedTypes.IsCandidate(candidate))
        {
            var index = Reached.Reach(candidate, out var reason, out var ungenerated, out var derived);
            if (index >= 0)
            {
                return new TypeShape(ShapeKind.Reached, name, Reached: index);
            }

            _ungenerated |= ungenerated;
            _unstorable ??= reason is null ? null : (candidate.Name, reason, derived);
        }

        return null;
    }

    /// <summary>Whether a type carries one of the generator's attributes (and so has a generated serializer).</summary>
    public static bool IsStateType(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass is { } c && KnownNames.StateAttributes.Contains(c.ToDisplayString()));

    private static readonly Dictionary<string, (ShapeKind Kind, string Method)> s_finishes = new()
    {
        ["System.Collections.Immutable.ImmutableArray<T>"] = (ShapeKind.List, "global::System.Collections.Immutable.ImmutableArray.ToImmutableArray"),
        ["System.Collections.Immutable.ImmutableList<T>"] = (ShapeKind.List, "global::System.Collections.Immutable.ImmutableList.ToImmutableList"),
        ["System.Collections.Immutable.IImmutableList<T>"] = (ShapeKind.List, "global::System.Collections.Immutable.ImmutableList.ToImmutableList"),
        ["System.Collections.Immutable.ImmutableHashSet<T>"] = (ShapeKind.Set, "global::System.Collections.Immutable.ImmutableHashSet.ToImmutableHashSet"),
        ["System.Collections.Immutable.IImmutableSet<T>"] = (ShapeKind.Set, "global::System.Collections.Immutable.ImmutableHashSet.ToImmutableHashSet"),
        ["System.Collections.Immutable.ImmutableDictionary<TKey, TValue>"] = (ShapeKind.Dictionary, "global::System.Collections.Immutable.ImmutableDictionary.ToImmutableDictionary"),
        ["System.Collections.Immutable.IImmutableDictionary<TKey, TValue>"] = (ShapeKind.Dictionary, "global::System.Collections.Immutable.ImmutableDictionary.ToImmutableDictionary"),
        ["System.Collections.Frozen.FrozenDictionary<TKey, TValue>"] = (ShapeKind.Dictionary, "global::System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary"),
        ["System.Collections.Frozen.FrozenSet<T>"] = (ShapeKind.Set, "global::System.Collections.Frozen.FrozenSet.ToFrozenSet"),
    };

    /// <summary>A dictionary keyed by strings, or by what System.Text.Json takes as keys: integers, Guids, enums.</summary>
    private TypeShape? Dictionary(string name, System.Collections.Immutable.ImmutableArray<ITypeSymbol> args, int depth, string? finish)
    {
        TypeShape? key = null;
        if (args[0].SpecialType != SpecialType.System_String)
        {
            key = Resolve(args[0], depth + 1);
            var integer = key is { Kind: ShapeKind.Primitive, Primitive: Primitive.Byte or Primitive.SByte or Primitive.Int16 or Primitive.UInt16 or Primitive.Int32 or Primitive.UInt32 or Primitive.Int64 or Primitive.UInt64 };
            if (!integer && key is not ({ Kind: ShapeKind.Enum } or { Kind: ShapeKind.Primitive, Primitive: Primitive.Guid }))
            {
                return null;
            }
        }

        return Collection(ShapeKind.Dictionary, name, args[1], depth) is { } shape ? shape with { Key = key, Finish = finish } : null;
    }

    private TypeShape? Collection(ShapeKind kind, string name, ITypeSymbol element, int depth)
    {
        var shape = Resolve(element, depth + 1);
        return shape is null ? null : new TypeShape(kind, name, Element: shape);
    }

    private static bool WantsStringEnum(ITypeSymbol type) =>
        type.GetAttributes().Any(a => IsConverterAttribute(a.AttributeClass) && IsStringEnumConverter(ConverterOf(a), type));

    /// <summary>Whether <paramref name="attribute"/> is [JsonConverter] or an attribute deriving from it.</summary>
    public static bool IsConverterAttribute(INamedTypeSymbol? attribute)
    {
        for (var current = attribute; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == KnownNames.JsonConverter)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The converter type a [JsonConverter(typeof(…))] names (null for a derived attribute that names none).</summary>
    public static INamedTypeSymbol? ConverterOf(AttributeData attribute) =>
        attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as INamedTypeSymbol : null;

    /// <summary>
    /// JsonStringEnumConverter, or JsonStringEnumConverter&lt;TEnum&gt; of <paramref name="enumType"/>: both write an
    /// enum as its names, which is what the generated serializer does for such an enum.
    /// </summary>
    public static bool IsStringEnumConverter(INamedTypeSymbol? converter, ITypeSymbol enumType) =>
        converter?.OriginalDefinition.ToDisplayString() switch
        {
            KnownNames.JsonStringEnumConverter => true,
            KnownNames.JsonStringEnumConverterOfT => SymbolEqualityComparer.Default.Equals(converter.TypeArguments[0], enumType),
            _ => false,
        };

    private static Primitive PrimitiveOf(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return Primitive.Boolean;
            case SpecialType.System_Byte: return Primitive.Byte;
            case SpecialType.System_SByte: return Primitive.SByte;
            case SpecialType.System_Int16: return Primitive.Int16;
            case SpecialType.System_UInt16: return Primitive.UInt16;
            case SpecialType.System_Int32: return Primitive.Int32;
            case SpecialType.System_UInt32: return Primitive.UInt32;
            case SpecialType.System_Int64: return Primitive.Int64;
            case SpecialType.System_UInt64: return Primitive.UInt64;
            case SpecialType.System_Single: return Primitive.Single;
            case SpecialType.System_Double: return Primitive.Double;
            case SpecialType.System_Decimal: return Primitive.Decimal;
            case SpecialType.System_Char: return Primitive.Char;
            case SpecialType.System_String: return Primitive.String;
            case SpecialType.System_DateTime: return Primitive.DateTime;
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return Primitive.Bytes;
        }

        // By name without the nullable annotation, which a reference type (Uri?, JsonObject?) may carry.
        return type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString() switch
        {
            "System.DateTimeOffset" => Primitive.DateTimeOffset,
            "System.TimeSpan" => Primitive.TimeSpan,
            "System.Guid" => Primitive.Guid,
            "System.DateOnly" => Primitive.DateOnly,
            "System.TimeOnly" => Primitive.TimeOnly,
            "System.Half" => Primitive.Half,
            "System.Int128" => Primitive.Int128,
            "System.UInt128" => Primitive.UInt128,
            "System.Uri" => Primitive.Uri,
            "System.Text.Json.JsonElement" => Primitive.JsonElement,
            "System.Text.Json.Nodes.JsonNode" or KnownNames.JsonObject or "System.Text.Json.Nodes.JsonArray" or "System.Text.Json.Nodes.JsonValue" => Primitive.JsonNode,
            _ => Primitive.None,
        };
    }
}
