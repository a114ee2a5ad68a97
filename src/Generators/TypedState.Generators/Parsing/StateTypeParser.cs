using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>Reads an annotated type into a <see cref="StateTypeModel"/> and the diagnostics it deserves.</summary>
internal static class StateTypeParser
{
    private const int MaxKeyLength = 512;

    private static readonly Regex s_migrationName = new("^MigrateV([0-9]+)ToV([0-9]+)$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Parses the type the attribute <paramref name="attributeName"/> was found on. When a type has several state
    /// attributes, only the first one declared reports (TS1008) and the others give nothing, so it is reported once.
    /// </summary>
    public static StateTypeResult? Parse(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return null;
        }

        var location = type.Locations.FirstOrDefault();
        var stateAttributes = type.GetAttributes()
            .Where(a => a.AttributeClass is { } c && KnownNames.StateAttributes.Contains(c.ToDisplayString()))
            .ToList();
        if (stateAttributes.Count > 1)
        {
            if (stateAttributes[0].AttributeClass!.ToDisplayString() != attributeName)
            {
                return null;
            }

            return Failed(location, DiagnosticInfo.Create(Diagnostics.MultipleScopes, location, type.Name));
        }

        var attribute = context.Attributes[0];
        var diagnostics = new List<DiagnosticInfo>();
        var kind = attributeName switch
        {
            KnownNames.AgentState => StateKind.Agent,
            KnownNames.GuildState => StateKind.Guild,
            KnownNames.GlobalState => StateKind.Global,
            _ => StateKind.Part,
        };
        var attributeShortName = attribute.AttributeClass!.Name.Replace("Attribute", string.Empty);

        if (type.ContainingType is not null || type.TypeParameters.Length > 0)
        {
            var what = type.ContainingType is not null ? $"nested in '{type.ContainingType.Name}'" : "generic";
            return Failed(location, DiagnosticInfo.Create(Diagnostics.NestedOrGeneric, location, type.Name, what));
        }

        if (!IsPartial(type, cancellationToken))
        {
            return Failed(location, DiagnosticInfo.Create(Diagnostics.NotPartial, location, type.Name, attributeShortName));
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
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidVersion, attributeLocation, type.Name, version.ToString(CultureInfo.InvariantCulture)));
            }

            key ??= type.Name;
            if (DescribeKeyProblem(key) is { } problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidKey, attributeLocation, type.Name, problem));
            }
        }

        var contextTypes = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        string? contextName = null;
        if (contextType is not null)
        {
            if (!DerivesFrom(contextType, KnownNames.JsonSerializerContext))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidSerializerContext, attributeLocation, contextType.Name, type.Name));
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

        var migrations = kind == StateKind.Part ? [] : ReadMigrations(type, version, diagnostics);
        var members = ReadMembers(type, new TypeShapeResolver(contextTypes, contextName), diagnostics, cancellationToken);
        var (chain, primaryCount) = ReadConstructor(type, members, location, diagnostics, cancellationToken);

        if (diagnostics.Count > 0)
        {
            return new StateTypeResult(null, diagnostics.ToEquatableArray(), LocationInfo.From(location));
        }

        var model = new StateTypeModel(
            type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            TypeShapeResolver.NameOf(type),
            Declaration(type),
            kind,
            version,
            key ?? string.Empty,
            migrations.ToEquatableArray(),
            members.ToEquatableArray(),
            chain,
            primaryCount,
            !type.IsValueType && chain == ConstructorChain.None && type.InstanceConstructors.Any(c => c.IsImplicitlyDeclared && c.Parameters.Length == 0));
        return new StateTypeResult(model, EquatableArray<DiagnosticInfo>.Empty, LocationInfo.From(location));
    }

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

    /// <summary>The same rules the store applies at run time (KeyRules), checked at compile time.</summary>
    private static string? DescribeKeyProblem(string key)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }

        if (key.Length > MaxKeyLength)
        {
            return $"it is {key.Length} characters long, the limit is {MaxKeyLength}";
        }

        for (var i = 0; i < key.Length; i++)
        {
            if (char.IsControl(key[i]))
            {
                return $"it contains the control character U+{(int)key[i]:X4} at position {i}";
            }

            if (char.IsSurrogate(key[i]))
            {
                if (char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
                {
                    i++;
                    continue;
                }

                return $"it contains an unpaired surrogate at position {i}";
            }
        }

        return null;
    }

    private static List<string> ReadMigrations(INamedTypeSymbol type, int version, List<DiagnosticInfo> diagnostics)
    {
        var steps = new Dictionary<int, IMethodSymbol>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            var match = s_migrationName.Match(method.Name);
            if (!match.Success)
            {
                continue;
            }

            var methodLocation = method.Locations.FirstOrDefault();

            // Overloads declare the same step twice, whatever their signatures.
            if (!declared.Add(method.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateMigration, methodLocation, type.Name, method.Name));
                continue;
            }

            var from = int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : -1;
            var to = int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : -1;
            var problem =
                !method.IsStatic || !method.ReturnsVoid || method.IsGenericMethod || method.Parameters.Length != 1
                || method.Parameters[0].RefKind != RefKind.None || method.Parameters[0].Type.ToDisplayString() != KnownNames.JsonObject
                    ? "must be declared 'static void " + method.Name + "(System.Text.Json.Nodes.JsonObject state)'"
                    : from < 1 || to != from + 1
                        ? "must go from one version to the next (MigrateV{n}ToV{n+1}, n at least 1)"
                        : to > version
                            ? $"goes beyond Version = {version}: raise Version or remove the step"
                            : null;
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidMigration, methodLocation, method.Name, type.Name, problem));
                continue;
            }

            if (steps.ContainsKey(from))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateMigration, methodLocation, type.Name, method.Name));
                continue;
            }

            steps[from] = method;
        }

        var names = new List<string>();
        for (var from = 1; from < version; from++)
        {
            var name = $"MigrateV{from}ToV{from + 1}";
            if (!steps.ContainsKey(from))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    Diagnostics.MissingMigration,
                    type.Locations.FirstOrDefault(),
                    type.Name,
                    version.ToString(CultureInfo.InvariantCulture),
                    from.ToString(CultureInfo.InvariantCulture),
                    name));
            }

            names.Add(name);
        }

        return names;
    }

    private static List<MemberModel> ReadMembers(INamedTypeSymbol type, TypeShapeResolver resolver, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var members = new List<MemberModel>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var current = type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
        {
            foreach (var property in current.GetMembers().OfType<IPropertySymbol>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public
                    || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public } || !seen.Add(property.Name))
                {
                    continue;
                }

                // A setter (any accessibility, or init) the generated constructor can call; get-only properties are computed, not stored.
                if (property.SetMethod is null || (!SymbolEqualityComparer.Default.Equals(current, type) && property.SetMethod.DeclaredAccessibility == Accessibility.Private))
                {
                    continue;
                }

                if (IsIgnored(property))
                {
                    continue;
                }

                var shape = resolver.Resolve(property.Type);
                if (shape is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        Diagnostics.UnsupportedMemberType,
                        property.Locations.FirstOrDefault(),
                        property.Name,
                        type.Name,
                        property.Type.ToDisplayString()));
                    continue;
                }

                members.Add(new MemberModel(property.Name, JsonNameOf(property), shape, -1));
            }
        }

        return members;
    }

    private static bool IsIgnored(IPropertySymbol property) =>
        property.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == KnownNames.JsonIgnore
            && !a.NamedArguments.Any(n => n.Key == "Condition" && n.Value.Value is int condition && condition != 1));

    private static string JsonNameOf(IPropertySymbol property)
    {
        var named = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.JsonPropertyName);
        return named?.ConstructorArguments.FirstOrDefault().Value as string ?? JsonNames.CamelCase(property.Name);
    }

    private static (ConstructorChain Chain, int PrimaryCount) ReadConstructor(
        INamedTypeSymbol type,
        List<MemberModel> members,
        Location? location,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        if (type.IsAbstract)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NoConstructor, location, type.Name, "it is abstract"));
            return (ConstructorChain.None, 0);
        }

        if (type.IsRefLikeType)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NoConstructor, location, type.Name, "it is a ref struct"));
            return (ConstructorChain.None, 0);
        }

        foreach (var constructor in type.InstanceConstructors)
        {
            var syntax = constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
            if (syntax is TypeDeclarationSyntax && constructor.Parameters.Length > 0)
            {
                // A primary constructor: every other constructor must chain to it, passing members by name.
                for (var i = 0; i < constructor.Parameters.Length; i++)
                {
                    var parameter = constructor.Parameters[i];
                    var index = members.FindIndex(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                    if (index < 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(
                            Diagnostics.NoConstructor,
                            parameter.Locations.FirstOrDefault() ?? location,
                            type.Name,
                            $"primary constructor parameter '{parameter.Name}' has no serialized property of the same name"));
                        continue;
                    }

                    members[index] = members[index] with { ConstructorIndex = i };
                }

                return (ConstructorChain.Primary, constructor.Parameters.Length);
            }
        }

        var parameterless = type.InstanceConstructors.FirstOrDefault(c => c.Parameters.Length == 0 && !c.IsImplicitlyDeclared);
        return (parameterless is not null ? ConstructorChain.Parameterless : ConstructorChain.None, 0);
    }

    private static string Declaration(INamedTypeSymbol type) =>
        (type.IsRecord, type.IsValueType) switch
        {
            (true, true) => "record struct",
            (true, false) => "record",
            (false, true) => "struct",
            _ => "class",
        };
}
