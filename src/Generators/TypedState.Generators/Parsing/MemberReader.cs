using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>
/// Reads the stored members of a state type or part, its own and those of its base classes, and reports every member
/// that would silently not round-trip: fields and get-only auto-properties (TSTATE1013), JSON names that collide
/// (TSTATE1014) and System.Text.Json attributes the generated serializer does not honour (TSTATE1015).
/// </summary>
internal sealed class MemberReader
{
    private const string ReservedVersionName = "$version";

    private readonly INamedTypeSymbol _type;
    private readonly TypeShapeResolver _resolver;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly Location? _typeLocation;
    private readonly List<MemberModel> _members = [];
    private readonly List<(ISymbol Symbol, string JsonName)> _stored = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<ITypeSymbol> _checkedEnums = new(SymbolEqualityComparer.Default);

    // A reached type is built by generated code outside it: what its setters cannot do, accessors and constructors do.
    private readonly bool _reached;

    private MemberReader(INamedTypeSymbol type, TypeShapeResolver resolver, List<DiagnosticInfo> diagnostics, bool reached, CancellationToken cancellationToken)
    {
        _type = type;
        _reached = reached;
        _resolver = resolver;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
        _typeLocation = type.Locations.FirstOrDefault();
    }

    /// <summary>
    /// The stored members. <paramref name="ungenerated"/>: a member's type is, or holds, a state type or part that
    /// gets no generated serializer; that member is left out without a diagnostic of its own (the part has one), and
    /// the type must not be generated either. <paramref name="reached"/>: the members of a reached type, which may be
    /// get-only (for a constructor parameter to set) and whose setters need not be public.
    /// </summary>
    public static List<MemberModel> Read(
        INamedTypeSymbol type,
        TypeShapeResolver resolver,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        out bool ungenerated,
        bool reached = false)
    {
        var reader = new MemberReader(type, resolver, diagnostics, reached, cancellationToken);
        ungenerated = reader.ReadAll();
        return reader._members;
    }

    /// <summary>Whether a member is left out with [JsonIgnore] (any condition other than Always still stores it).</summary>
    public static bool IsIgnored(ISymbol member) =>
        member.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == KnownNames.JsonIgnore
            && !a.NamedArguments.Any(n => n.Key == "Condition" && n.Value.Value is int condition && condition != 1));

    private bool ReadAll()
    {
        CheckTypeAttributes();
        var ungenerated = false;
        for (var current = _type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
        {
            var members = current.GetMembers();

            // Auto-properties have a compiler-generated backing field that names them; computed properties have none.
            var backed = new HashSet<ISymbol>(
                members.OfType<IFieldSymbol>().Where(f => f.AssociatedSymbol is IPropertySymbol).Select(f => f.AssociatedSymbol!),
                SymbolEqualityComparer.Default);
            // Properties before fields, type by type, in the order System.Text.Json writes them.
            foreach (var member in members.OfType<IPropertySymbol>().Cast<ISymbol>().Concat(members.OfType<IFieldSymbol>()))
            {
                _cancellationToken.ThrowIfCancellationRequested();
                switch (member)
                {
                    case IPropertySymbol { IsStatic: false, IsIndexer: false } property:
                        ungenerated |= ReadProperty(property, current, backed);
                        break;
                    case IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false } field:
                        ungenerated |= ReadField(field);
                        break;
                }
            }
        }

        CheckJsonNames();
        return ungenerated;
    }

    private bool ReadProperty(IPropertySymbol property, INamedTypeSymbol declaringType, HashSet<ISymbol> backed)
    {
        if (property.DeclaredAccessibility != Accessibility.Public || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public })
        {
            CheckNotPublic(property);
            return false;
        }

        if (!_seen.Add(property.Name) || IsIgnored(property))
        {
            return false;
        }

        // A setter (any accessibility, or init) the generated constructor can call; get-only properties without a
        // backing field are computed, not stored.
        string? notStored = null;
        var populate = false;
        if (property.SetMethod is null)
        {
            if (!backed.Contains(property))
            {
                return false;
            }

            // As System.Text.Json: stored when a constructor parameter sets it; the generated constructor of the type's
            // own partial declaration can assign it (a reached type's reader checks its constructor itself). A
            // collection nothing sets is populated: the stored elements are added to the instance the type creates.
            var setByConstructor = SymbolEqualityComparer.Default.Equals(declaringType, _type) && HasConstructorParameter(property.Name);
            populate = !setByConstructor && Populatable(property.Type);
            notStored = _reached || setByConstructor || populate
                ? null
                : IsCollection(property.Type)
                    ? $"it is a get-only collection of a type nothing can be added to ('{property.Type.ToDisplayString()}'); declare it as List<T>, HashSet<T>, Dictionary<TKey, TValue> or their ICollection<T>, IList<T>, ISet<T>, IDictionary<TKey, TValue> interfaces to have it populated, or give it a setter (init or private will do)"
                    : "it is a get-only auto-property";
        }
        else if (!_reached && !SymbolEqualityComparer.Default.Equals(declaringType, _type) && property.SetMethod.DeclaredAccessibility == Accessibility.Private)
        {
            notStored = $"its setter is private to its base class '{declaringType.Name}'";
        }

        CheckMemberAttributes(property, property.Type);
        if (notStored is not null)
        {
            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNotStored, LocationOf(property), property.Name, _type.Name, notStored));
            return false;
        }

        var required = property.IsRequired || property.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.JsonRequired);
        return Store(property, property.Type, required, _reached ? AccessorTarget(property) : null, property.SetMethod is null, populate);
    }

    /// <summary>
    /// Whether a get-only member's collection can be populated as System.Text.Json populates it (by its declared type,
    /// as System.Text.Json decides): a list, set or dictionary with an <c>Add</c>, not an array, a read-only interface or
    /// an immutable collection.
    /// </summary>
    private static bool Populatable(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true } named && s_populatable.Contains(named.OriginalDefinition.ToDisplayString());

    private static bool IsCollection(ITypeSymbol type) =>
        type is IArrayTypeSymbol
        || type.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
        || (type.SpecialType != SpecialType.System_String && type.AllInterfaces.Any(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T));

    private static readonly HashSet<string> s_populatable =
    [
        "System.Collections.Generic.List<T>",
        "System.Collections.Generic.IList<T>",
        "System.Collections.Generic.ICollection<T>",
        "System.Collections.Generic.HashSet<T>",
        "System.Collections.Generic.ISet<T>",
        "System.Collections.Generic.Dictionary<TKey, TValue>",
        "System.Collections.Generic.IDictionary<TKey, TValue>",
    ];

    /// <summary>Adds a stored member (a property, or a field with [JsonInclude]) once its type resolves; returns whether it uses an ungenerated part.</summary>
    private bool Store(ISymbol member, ITypeSymbol type, bool required, string? setter, bool getOnly, bool populate = false)
    {
        var shape = _resolver.Resolve(type, out var ungenerated, out var unstorable);
        if (shape is null)
        {
            if (unstorable is { Derived: { } derived } polymorphic)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnstorableDerivedType, LocationOf(member), member.Name, _type.Name, polymorphic.Name, derived, polymorphic.Reason));
            }
            else if (unstorable is { } reached)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnstorableReachedType, LocationOf(member), member.Name, _type.Name, reached.Name, reached.Reason));
            }
            else if (!ungenerated)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedMemberType, LocationOf(member), member.Name, _type.Name, type.ToDisplayString()));
            }

            return ungenerated;
        }

        CheckEnums(shape, type, member.Name);
        var jsonName = JsonNameOf(member);
        _stored.Add((member, jsonName));
        _members.Add(new MemberModel(member.Name, jsonName, shape, -1, Required: required, Setter: setter, GetOnly: getOnly, Populate: populate));
        return false;
    }

    private bool HasConstructorParameter(string name) =>
        _type.InstanceConstructors.Any(c => c.DeclaredAccessibility == Accessibility.Public && c.Parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)));

    private bool ReadField(IFieldSymbol field)
    {
        if (field.DeclaredAccessibility != Accessibility.Public)
        {
            CheckNotPublic(field);
            return false;
        }

        if (!_seen.Add(field.Name) || IsIgnored(field))
        {
            return false;
        }

        CheckMemberAttributes(field, field.Type);

        // System.Text.Json stores a public field only with [JsonInclude]; a readonly one only through a constructor
        // parameter, which the type's own generated constructor stands for.
        var included = field.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.JsonInclude);
        var declaredHere = SymbolEqualityComparer.Default.Equals(field.ContainingType, _type);
        if (!included || (field.IsReadOnly && !_reached && !(declaredHere && HasConstructorParameter(field.Name))))
        {
            var reason = included ? "it is a readonly field that no constructor parameter sets" : "it is a field (System.Text.Json stores a public field only with [JsonInclude])";
            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNotStored, LocationOf(field), field.Name, _type.Name, reason));
            return false;
        }

        var required = field.IsRequired || field.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.JsonRequired);
        return Store(field, field.Type, required, setter: null, getOnly: field.IsReadOnly);
    }

    /// <summary>
    /// For a member of a reached type: the type declaring its setter when generated code cannot assign it (init-only
    /// or not public), to call the setter through an <c>[UnsafeAccessor]</c>; null when it can.
    /// </summary>
    private static string? AccessorTarget(IPropertySymbol property) =>
        property.SetMethod is { IsInitOnly: false, DeclaredAccessibility: Accessibility.Public } or null
            ? null
            : TypeShapeResolver.NameOf(property.SetMethod.ContainingType);

    /// <summary>[JsonInclude] makes System.Text.Json store a non-public member; the generated serializer stores public properties only.</summary>
    private void CheckNotPublic(ISymbol member)
    {
        if (IsIgnored(member))
        {
            return;
        }

        foreach (var attribute in member.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == KnownNames.JsonInclude))
        {
            Unsupported(
                attribute,
                member,
                $"Member '{member.Name}'",
                "only public properties with a public getter are stored; make it one (the setter may be private), or remove the attribute");
        }
    }

    private void CheckTypeAttributes()
    {
        foreach (var attribute in _type.GetAttributes())
        {
            var name = attribute.AttributeClass?.ToDisplayString();
            if (name == KnownNames.JsonNumberHandling)
            {
                Unsupported(attribute, _type, $"'{_type.Name}'", "numbers are written as JSON numbers and read from JSON numbers only; remove the attribute");
            }
            else if (TypeShapeResolver.IsConverterAttribute(attribute.AttributeClass))
            {
                Unsupported(attribute, _type, $"'{_type.Name}'", "the type is written by its generated serializer; remove the attribute");
            }
            else if (name == KnownNames.JsonObjectCreationHandling && IsPopulate(attribute))
            {
                Unsupported(attribute, _type, $"'{_type.Name}'", "members with setters are replaced when read, not populated (get-only collections are always populated); remove the attribute");
            }
            else if (name is KnownNames.JsonPolymorphic or KnownNames.JsonDerivedType && !_reached && !IsPart(_type))
            {
                // A state document is read as its own type by the store: it has no discriminator to dispatch on.
                Unsupported(attribute, _type, $"'{_type.Name}'", "a state type is not polymorphic (a derived instance would be stored as this type); make the polymorphic type a [StatePart] or a plain class held in a member, or remove the attribute");
            }
        }
    }

    /// <summary>[JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]: Populate is 1.</summary>
    private static bool IsPopulate(AttributeData attribute) =>
        attribute.ConstructorArguments.FirstOrDefault().Value is int handling && handling == 1;

    private static bool IsPart(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.StatePart);

    private void CheckMemberAttributes(ISymbol member, ITypeSymbol memberType)
    {
        foreach (var attribute in member.GetAttributes())
        {
            var name = attribute.AttributeClass?.ToDisplayString();
            string? suggestion;
            if (TypeShapeResolver.IsConverterAttribute(attribute.AttributeClass))
            {
                var enumType = memberType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : memberType;
                suggestion = enumType.TypeKind == TypeKind.Enum && TypeShapeResolver.IsStringEnumConverter(TypeShapeResolver.ConverterOf(attribute), enumType)
                    ? $"put [JsonConverter(typeof(JsonStringEnumConverter))] on the enum '{enumType.Name}' instead, which the generated serializer honours"
                    : "remove it, or give the member a type that the JsonSerializerContext given as SerializerContext serializes (see TSTATE1006)";
            }
            else if (name == KnownNames.JsonNumberHandling)
            {
                suggestion = "numbers are written as JSON numbers and read from JSON numbers only; remove it, or give the member a type that the JsonSerializerContext given as SerializerContext serializes";
            }
            else if (name == KnownNames.JsonObjectCreationHandling && IsPopulate(attribute) && member is IPropertySymbol { SetMethod: not null })
            {
                suggestion = "a member with a setter is replaced when read, not populated; remove the setter to have the collection populated (get-only collections always are), or remove the attribute";
            }
            else if (name == KnownNames.JsonExtensionData)
            {
                suggestion = "properties that match no member are dropped, not collected; declare the members to store, or remove the attribute";
            }
            else
            {
                continue;
            }

            Unsupported(attribute, member, $"Member '{member.Name}'", suggestion);
        }
    }

    /// <summary>Attributes on the enums a member writes: a converter other than the string-enum ones, and member names for string enums.</summary>
    private void CheckEnums(TypeShape shape, ITypeSymbol type, string memberName)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Enum when _checkedEnums.Add(type):
                var usedBy = $" (used by member '{memberName}')";
                foreach (var attribute in type.GetAttributes().Where(a => TypeShapeResolver.IsConverterAttribute(a.AttributeClass)))
                {
                    if (!TypeShapeResolver.IsStringEnumConverter(TypeShapeResolver.ConverterOf(attribute), type))
                    {
                        Unsupported(attribute, type, $"Enum '{type.Name}'{usedBy}", "enums are written as numbers, or as names with JsonStringEnumConverter; use [JsonConverter(typeof(JsonStringEnumConverter))], or remove the attribute");
                    }
                }

                if (shape.AsString)
                {
                    foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
                    {
                        foreach (var attribute in field.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == KnownNames.JsonStringEnumMemberName))
                        {
                            Unsupported(attribute, field, $"Enum member '{type.Name}.{field.Name}'{usedBy}", "enum values are written by their C# names; remove the attribute (renaming the enum member changes stored documents: migrate them)");
                        }
                    }
                }

                break;
            case ShapeKind.Nullable or ShapeKind.List or ShapeKind.Set when type is INamedTypeSymbol { TypeArguments.Length: 1 } generic:
                CheckEnums(shape.Element!, generic.TypeArguments[0], memberName);
                break;
            case ShapeKind.Dictionary when type is INamedTypeSymbol { TypeArguments.Length: 2 } dictionary:
                CheckEnums(shape.Element!, dictionary.TypeArguments[1], memberName);
                break;
            case ShapeKind.Array when type is IArrayTypeSymbol array:
                CheckEnums(shape.Element!, array.ElementType, memberName);
                break;
        }
    }

    /// <summary>The reader matches names ignoring case (and "$version" before any member), so two names that differ only in case collide.</summary>
    private void CheckJsonNames()
    {
        var byName = new Dictionary<string, (ISymbol Symbol, string JsonName)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (symbol, jsonName) in _stored)
        {
            string? clash = null;
            if (string.Equals(jsonName, ReservedVersionName, StringComparison.OrdinalIgnoreCase))
            {
                clash = $"which is reserved for the document's schema version ('{ReservedVersionName}')";
            }
            else if (byName.TryGetValue(jsonName, out var first))
            {
                clash = $"which clashes with '{first.JsonName}' of member '{first.Symbol.Name}' (names are matched ignoring case when read)";
            }
            else
            {
                byName.Add(jsonName, (symbol, jsonName));
            }

            if (clash is not null)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConflictingJsonName, LocationOf(symbol), symbol.Name, _type.Name, jsonName, clash));
            }
        }
    }

    private void Unsupported(AttributeData attribute, ISymbol owner, string what, string suggestion)
    {
        var location = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? LocationOf(owner);
        var name = attribute.AttributeClass!.Name;
        if (name.EndsWith("Attribute", StringComparison.Ordinal))
        {
            name = name.Substring(0, name.Length - "Attribute".Length);
        }

        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedJsonAttribute, location, what, name, _type.Name, suggestion));
    }

    /// <summary>Where a member is declared, or the type's own location for a member of a base class in another assembly.</summary>
    private Location? LocationOf(ISymbol member) => member.Locations.FirstOrDefault(l => l.IsInSource) ?? _typeLocation;

    private static string JsonNameOf(ISymbol member)
    {
        var named = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.JsonPropertyName);
        return named?.ConstructorArguments.FirstOrDefault().Value as string ?? JsonNames.CamelCase(member.Name);
    }
}
