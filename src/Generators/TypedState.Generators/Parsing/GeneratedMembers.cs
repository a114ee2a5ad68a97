using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using TypedState.Generators.Model;

namespace TypedState.Generators.Parsing;

/// <summary>
/// The members Emit/StateTypeEmitter.cs adds to a user's type that a member of the user's could clash with (CS0102,
/// CS0111, or CS0108 for an inherited one), so the clash is reported on the user's member (TSTATE1016) instead of inside
/// the generated file. Explicit interface implementations (Schema, CreateDefault, WriteProperties, Read) cannot
/// clash and are not listed. ParsingTests checks this list against what the emitter actually writes.
/// </summary>
internal static class GeneratedMembers
{
    /// <summary>The prefix of every private member the generator adds (names, schema, info caches, helpers).</summary>
    public const string ReservedPrefix = "__TypedState_";

    /// <summary>The static property every state type (not a part) gets.</summary>
    public const string SchemaProperty = "StateSchema";

    private const string CancellationToken = "global::System.Threading.CancellationToken";
    private const string ExpectedVersion = "long?";

    private static readonly string[] s_accessorNames = ["LoadAsync", "SaveAsync", "DeleteAsync", "UpdateAsync"];

    // The leading parameters of each set of accessors: any scope's state operations, then the owner of an agent's,
    // a guild's or the application's record.
    private static readonly string[] s_scopedOwner = ["global::TypedState.IScopedStateOperations"];
    private static readonly string[] s_agentOwner = ["global::TypedState.Guilds.AgentContext"];
    private static readonly string[] s_guildOwner = ["global::TypedState.IStateOperations", "string"];
    private static readonly string[] s_globalOwner = ["global::TypedState.IStateOperations"];

    /// <summary>Reports every member of <paramref name="type"/>, or visible member of its base classes, that clashes with a generated one.</summary>
    public static void Check(INamedTypeSymbol type, StateKind kind, List<DiagnosticInfo> diagnostics)
    {
        var typeLocation = type.Locations.FirstOrDefault();
        var self = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        for (var current = type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
        {
            var inherited = !SymbolEqualityComparer.Default.Equals(current, type);
            foreach (var member in current.GetMembers())
            {
                if (member.IsImplicitlyDeclared || (inherited && member.DeclaredAccessibility == Accessibility.Private)
                    || ClashOf(member, kind, type.IsReferenceType, self) is not { } generated)
                {
                    continue;
                }

                var name = inherited ? current.Name + "." + member.Name : member.Name;
                var location = member.Locations.FirstOrDefault(l => l.IsInSource) ?? typeLocation;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservedMemberName, location, name, type.Name, generated));
            }
        }
    }

    /// <summary>
    /// What generated member <paramref name="member"/> clashes with in a type of <paramref name="kind"/> whose fully
    /// qualified name is <paramref name="self"/>, described for a message; null when it does not clash.
    /// </summary>
    public static string? ClashOf(ISymbol member, StateKind kind, bool isReferenceType, string self)
    {
        if (member.Name.StartsWith(ReservedPrefix, System.StringComparison.Ordinal))
        {
            return $"the names the generator reserves for its own members ('{ReservedPrefix}…')";
        }

        if (kind == StateKind.Part || member is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor or MethodKind.ExplicitInterfaceImplementation })
        {
            return null;
        }

        if (member.Name == SchemaProperty)
        {
            return $"the generated property '{SchemaProperty}'";
        }

        if (!s_accessorNames.Contains(member.Name))
        {
            return null;
        }

        // A method of another signature is an overload and may stand beside the generated accessors.
        if (member is not IMethodSymbol method)
        {
            return $"the generated accessors named '{member.Name}'";
        }

        if (method.IsGenericMethod || method.Parameters.Any(p => p.RefKind != RefKind.None))
        {
            return null;
        }

        var parameters = method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).ToList();
        return Accessors(kind, isReferenceType, self).Any(a => a.Name == method.Name && a.Parameters.SequenceEqual(parameters))
            ? $"the generated accessor '{method.Name}({string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)))})'"
            : null;
    }

    /// <summary>The typed accessors of a state type, as StateTypeEmitter.EmitAccessors writes them (parameter types fully qualified).</summary>
    internal static IEnumerable<(string Name, string[] Parameters)> Accessors(StateKind kind, bool isReferenceType, string self)
    {
        var scoped = Accessors(s_scopedOwner, isReferenceType, self, loadAndUpdateOnly: false);
        var owned = kind switch
        {
            StateKind.Agent => Accessors(s_agentOwner, isReferenceType, self, loadAndUpdateOnly: true),
            StateKind.Guild => Accessors(s_guildOwner, isReferenceType, self, loadAndUpdateOnly: false),
            _ => Accessors(s_globalOwner, isReferenceType, self, loadAndUpdateOnly: false),
        };
        return scoped.Concat(owned);
    }

    private static IEnumerable<(string Name, string[] Parameters)> Accessors(string[] owner, bool isReferenceType, string self, bool loadAndUpdateOnly)
    {
        yield return ("LoadAsync", [.. owner, CancellationToken]);
        if (!loadAndUpdateOnly)
        {
            yield return ("SaveAsync", [.. owner, self, ExpectedVersion, CancellationToken]);
            yield return ("DeleteAsync", [.. owner, ExpectedVersion, CancellationToken]);
        }

        yield return ("UpdateAsync", [.. owner, $"global::System.Func<{self}, {self}>", CancellationToken]);
        if (isReferenceType)
        {
            yield return ("UpdateAsync", [.. owner, $"global::System.Action<{self}>", CancellationToken]);
        }
    }
}
