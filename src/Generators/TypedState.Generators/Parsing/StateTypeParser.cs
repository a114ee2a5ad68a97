using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>Reads an annotated type into a <see cref="StateTypeModel"/> and the diagnostics it deserves.</summary>
internal static class StateTypeParser
{
    /// <summary>
    /// Parses the type the attribute <paramref name="attributeName"/> was found on. When a type has several state
    /// attributes, only the first one declared reports (TSTATE1008) and the others give nothing, so it is reported once.
    /// </summary>
    public static StateTypeResult? Parse(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return null;
        }

        var stateAttributes = StateAttributesOf(type);
        if (stateAttributes.Count > 1)
        {
            if (stateAttributes[0].AttributeClass!.ToDisplayString() != attributeName)
            {
                return null;
            }

            var location = type.Locations.FirstOrDefault();
            return Failed(location, DiagnosticInfo.Create(DiagnosticDescriptors.MultipleScopes, location, type.Name));
        }

        var generated = new GeneratedTypes(type.ContainingAssembly, cancellationToken);
        generated.Assume(type);
        return Read(type, context.Attributes[0], attributeName, generated, cancellationToken);
    }

    /// <summary>
    /// Reads one state type or part with a single state attribute. <paramref name="generated"/> answers, for the state
    /// types and parts its members use, whether they get generated serializers: a type that uses one that does not
    /// (it has errors of its own) is not generated either, without a diagnostic, so its generated code never refers to
    /// a serializer that does not exist.
    /// </summary>
    private static StateTypeResult Read(INamedTypeSymbol type, AttributeData attribute, string attributeName, GeneratedTypes generated, CancellationToken cancellationToken)
    {
        var location = type.Locations.FirstOrDefault();
        var diagnostics = new List<DiagnosticInfo>();
        var kind = attributeName switch
        {
            KnownNames.AgentState => StateKind.Agent,
            KnownNames.GuildState => StateKind.Guild,
            KnownNames.GlobalState => StateKind.Global,
            _ => StateKind.Part,
        };

        if (StructuralProblem(type, attribute, location, cancellationToken) is { } problem)
        {
            return Failed(location, problem);
        }

        var version = 1;
        string? key = null;
        INamedTypeSymbol? contextType = null;
        foreach (var argument in attribute.NamedArguments)
        {
            switch (argument.Key)
            {
                case "Version" when argument.Value.Value is int v:
                    version = v;
                    break;
                case "Key":
                    key = argument.Value.Value as string;
                    break;
                case "SerializerContext":
                    contextType = argument.Value.Value as INamedTypeSymbol;
                    break;
            }
        }

        var attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? location;
        if (kind != StateKind.Part)
        {
            if (version < 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidVersion, attributeLocation, type.Name, version.ToString(CultureInfo.InvariantCulture)));
            }

            key ??= type.Name;
            if (StateKeyRules.Describe(key) is { } keyProblem)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKey, attributeLocation, type.Name, keyProblem));
            }
        }

        var contextTypes = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        string? contextName = null;
        if (contextType is not null)
        {
            if (!DerivesFrom(contextType, KnownNames.JsonSerializerContext))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSerializerContext, attributeLocation, contextType.Name, type.Name));
            }
            else
            {
                contextName = TypeShapeResolver.NameOf(contextType);
                foreach (var serializable in contextType.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == KnownNames.JsonSerializable))
                {
                    if (serializable.ConstructorArguments.Length == 1 && serializable.ConstructorArguments[0].Value is ITypeSymbol listed)
                    {
                        contextTypes.Add(listed);
                    }
                }
            }
        }

        var migrations = kind == StateKind.Part ? [] : MigrationReader.Read(type, version, diagnostics);
        var resolver = new TypeShapeResolver(contextTypes, contextName, generated.WillGenerate, type.ContainingAssembly, cancellationToken);
        var members = MemberReader.Read(type, resolver, diagnostics, cancellationToken, out var usesUngenerated);
        if (usesUngenerated)
        {
            // Not generated; whatever else is wrong is reported once the part it uses builds.
            return new StateTypeResult(null, diagnostics.ToEquatableArray(), LocationInfo.From(location));
        }

        var polymorphism = kind == StateKind.Part ? PolymorphicPart(type, resolver, members, location, diagnostics) : null;
        var construction = ConstructorReader.Read(type, members, location, diagnostics, cancellationToken, polymorphism is not null);
        GeneratedMembers.Check(type, kind, diagnostics);

        if (diagnostics.Count > 0 || !resolver.Reached.Complete)
        {
            return new StateTypeResult(null, diagnostics.ToEquatableArray(), LocationInfo.From(location));
        }

        var declared = new DeclaredType(
            type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            TypeShapeResolver.NameOf(type),
            Keyword(type));
        var schema = kind == StateKind.Part ? null : new SchemaModel(key ?? type.Name, version, migrations.ToEquatableArray());
        var model = new StateTypeModel(declared, kind, schema, members.ToEquatableArray(), construction, resolver.Reached.Models, polymorphism, type.IsAbstract);
        return new StateTypeResult(model, EquatableArray<DiagnosticInfo>.Empty, LocationInfo.From(location), MemberLocations(type, members));
    }

    /// <summary>Where each stored member is declared (its own type or a base class), for the schema lock's diagnostics.</summary>
    private static EquatableArray<MemberLocation> MemberLocations(INamedTypeSymbol type, List<MemberModel> members) =>
        members.Select(m => new MemberLocation(m.JsonName, LocationInfo.From(DeclarationOf(type, m.Name)?.Locations.FirstOrDefault()))).ToEquatableArray();

    private static ISymbol? DeclarationOf(INamedTypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers(name).FirstOrDefault() is { } member)
            {
                return member;
            }
        }

        return null;
    }

    /// <summary>
    /// A part's [JsonDerivedType]s, its derived types reached as the part's own members are; TSTATE1015 naming the
    /// derived type when one cannot be stored.
    /// </summary>
    private static PolymorphismModel? PolymorphicPart(INamedTypeSymbol type, TypeShapeResolver resolver, List<MemberModel> members, Location? location, List<DiagnosticInfo> diagnostics)
    {
        if (!PolymorphismReader.IsPolymorphic(type))
        {
            return null;
        }

        var polymorphism = PolymorphismReader.Read(type, resolver.Reached, members.ToEquatableArray(), out var reason, out var derived, out var ungenerated);
        if (polymorphism is null && !ungenerated)
        {
            var problem = derived is null ? reason : $"its derived type '{derived}' cannot be stored: {reason}";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedJsonAttribute, location, $"'{type.Name}'", "JsonDerivedType", type.Name, problem ?? string.Empty));
        }

        return polymorphism;
    }

    private static List<AttributeData> StateAttributesOf(INamedTypeSymbol type) =>
        [.. type.GetAttributes().Where(a => a.AttributeClass is { } c && KnownNames.StateAttributes.Contains(c.ToDisplayString()))];

    /// <summary>What makes a type impossible to generate whatever its members: TSTATE1007, TSTATE1001, TSTATE1017.</summary>
    private static DiagnosticInfo? StructuralProblem(INamedTypeSymbol type, AttributeData attribute, Location? location, CancellationToken cancellationToken)
    {
        if (type.ContainingType is not null || type.TypeParameters.Length > 0)
        {
            var what = type.ContainingType is not null ? $"nested in '{type.ContainingType.Name}'" : "generic";
            return DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGeneric, location, type.Name, what);
        }

        if (!IsPartial(type, cancellationToken))
        {
            return DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, location, type.Name, ShortName(attribute));
        }

        // Each state type has its own generated members (schema, accessors, serializer): a derived one would hide its
        // base's, and a member of the base type holding a derived instance would be written as the base.
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (StateAttributesOf(current).FirstOrDefault() is { } baseAttribute)
            {
                return DiagnosticInfo.Create(DiagnosticDescriptors.DerivesFromStateType, location, type.Name, current.Name, ShortName(baseAttribute));
            }
        }

        return null;
    }

    private static string ShortName(AttributeData attribute) => attribute.AttributeClass!.Name.Replace("Attribute", string.Empty);

    private static StateTypeResult Failed(Location? location, DiagnosticInfo diagnostic) =>
        new(null, new[] { diagnostic }.ToEquatableArray(), LocationInfo.From(location));

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(r =>
            r.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static bool DerivesFrom(INamedTypeSymbol type, string baseName)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == baseName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Answers, once per type for one parse, whether a state type or part used as a member gets a generated serializer.</summary>
    private sealed class GeneratedTypes(IAssemblySymbol assembly, CancellationToken cancellationToken)
    {
        private readonly Dictionary<INamedTypeSymbol, bool> _known = new(SymbolEqualityComparer.Default);

        /// <summary>
        /// Takes <paramref name="type"/> as generated while it is being read, so types that refer to each other end.
        /// If it turns out not to be, the type that asked is not generated either, whatever was assumed on the way.
        /// </summary>
        public void Assume(INamedTypeSymbol type) => _known[type] = true;

        public bool WillGenerate(INamedTypeSymbol type)
        {
            if (_known.TryGetValue(type, out var known))
            {
                return known;
            }

            // A type from a referenced assembly (or project) was generated when that assembly was built.
            if (!SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, assembly))
            {
                return true;
            }

            Assume(type);
            var attributes = StateAttributesOf(type);
            var result = attributes.Count == 1
                && Read(type, attributes[0], attributes[0].AttributeClass!.ToDisplayString(), this, cancellationToken).Model is not null;
            _known[type] = result;
            return result;
        }
    }

    private static string Keyword(INamedTypeSymbol type) =>
        (type.IsRecord, type.IsValueType) switch
        {
            (true, true) => "record struct",
            (true, false) => "record",
            (false, true) => "struct",
            _ => "class",
        };
}
