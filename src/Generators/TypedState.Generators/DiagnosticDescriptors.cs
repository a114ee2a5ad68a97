using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedState.Generators;

/// <summary>
/// The descriptors of the generator's compile-time diagnostics. Ids are stable and each has a help page in
/// docs/diagnostics.md: <c>TSTATE</c> then a number, 1xxx for the generator (2xxx is kept for analyzers). The prefix
/// is one no widely used tool owns (<c>TS</c> is TypeScript's).
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "TypedState";
    private const string HelpBase = "https://github.com/typedstate/typedstate/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "TSTATE1001",
        "State type must be partial",
        "'{0}' is marked [{1}] but is not partial: the generator adds its serializer and accessors to it");

    public static readonly DiagnosticDescriptor InvalidVersion = Error(
        "TSTATE1002",
        "State version must be at least 1",
        "'{0}' declares Version = {1}: schema versions start at 1");

    public static readonly DiagnosticDescriptor MissingMigration = Error(
        "TSTATE1003",
        "Migration step missing",
        "'{0}' is at Version = {1} but {2}");

    public static readonly DiagnosticDescriptor DuplicateMigration = Error(
        "TSTATE1004",
        "Migration step declared more than once",
        "'{0}' declares the migration step '{1}' more than once: each version step has exactly one method");

    public static readonly DiagnosticDescriptor DuplicateKey = Error(
        "TSTATE1005",
        "State key used by more than one type",
        "The {0} state key '{1}' of '{2}' is also used by '{3}': two types would overwrite each other's records; set a distinct Key");

    public static readonly DiagnosticDescriptor UnsupportedMemberType = Error(
        "TSTATE1006",
        "Member type not supported",
        "Member '{0}' of '{1}' has type '{2}', which the generated serializer does not handle: use a supported type or a class or struct of your own, or list it with [JsonSerializable] on a JsonSerializerContext given as SerializerContext");

    public static readonly DiagnosticDescriptor NestedOrGeneric = Error(
        "TSTATE1007",
        "Nested or generic state type",
        "'{0}' is {1}: state types and state parts must be non-generic top-level types");

    public static readonly DiagnosticDescriptor MultipleScopes = Error(
        "TSTATE1008",
        "More than one state attribute",
        "'{0}' has more than one of [AgentState], [GuildState], [GlobalState] and [StatePart]: a type has exactly one scope");

    public static readonly DiagnosticDescriptor InvalidMigration = Error(
        "TSTATE1009",
        "Invalid migration step",
        "Migration step '{0}' of '{1}' {2}");

    public static readonly DiagnosticDescriptor NoConstructor = Error(
        "TSTATE1010",
        "State type cannot be constructed",
        "'{0}' cannot be constructed by the generated serializer: {1}");

    public static readonly DiagnosticDescriptor InvalidKey = Error(
        "TSTATE1011",
        "Invalid state key",
        "The Key of '{0}' is invalid: {1}");

    public static readonly DiagnosticDescriptor InvalidSerializerContext = Error(
        "TSTATE1012",
        "SerializerContext is not a JsonSerializerContext",
        "SerializerContext '{0}' of '{1}' does not derive from System.Text.Json.Serialization.JsonSerializerContext");

    public static readonly DiagnosticDescriptor MemberNotStored = Error(
        "TSTATE1013",
        "Member is not stored",
        "Member '{0}' of '{1}' is not stored because {2}: make it a property with a setter the generated code can call (set or init), or mark it [JsonIgnore]");

    public static readonly DiagnosticDescriptor ConflictingJsonName = Error(
        "TSTATE1014",
        "Conflicting JSON name",
        "Member '{0}' of '{1}' is stored under the JSON name '{2}', {3}: give it another name with [JsonPropertyName] or rename it");

    public static readonly DiagnosticDescriptor UnsupportedJsonAttribute = Error(
        "TSTATE1015",
        "System.Text.Json attribute not supported",
        "{0} has [{1}], which the generated serializer of '{2}' does not honour: {3}");

    public static readonly DiagnosticDescriptor ReservedMemberName = Error(
        "TSTATE1016",
        "Member clashes with a generated member",
        "Member '{0}' of '{1}' clashes with {2}: rename it");

    public static readonly DiagnosticDescriptor DerivesFromStateType = Error(
        "TSTATE1017",
        "State type derives from a state type",
        "'{0}' derives from '{1}', which is marked [{2}]: state types and parts may derive from plain classes only; move the shared members to a plain base class, or hold the other type as a member");

    public static readonly DiagnosticDescriptor SubclassOfStoredType = Error(
        "TSTATE1018",
        "Subclass of a stored type",
        "'{0}' derives from '{1}', which is stored as state: stored where a '{1}' is expected, a '{0}' would lose the members '{1}' does not have; list the derived types with [JsonDerivedType] on '{1}' (a plain class, not a state part), hold the variants in members of their own types, or derive both from a plain base class");

    public static readonly DiagnosticDescriptor UnstorableReachedType = Error(
        "TSTATE1019",
        "Reached type cannot be stored",
        "Member '{0}' of '{1}' reaches '{2}', which the generator cannot store: {3}");

    public static readonly DiagnosticDescriptor UnstorableDerivedType = Error(
        "TSTATE1020",
        "Derived type cannot be stored",
        "Member '{0}' of '{1}' reaches the polymorphic type '{2}', whose derived type '{3}' cannot be stored: {4}");

    public static readonly DiagnosticDescriptor BreakingSchemaChange = Error(
        "TSTATE1030",
        "Stored member changed without a version bump",
        "'{0}' is still at version {1}, but {2}: records already stored would not read back; raise Version with a migration step that reshapes them, or undo the change");

    public static readonly DiagnosticDescriptor SchemaLockOutOfDate = new(
        "TSTATE1031",
        "Schema lock file out of date",
        "{0}: update the schema lock file (the code fix, or dotnet build -p:TypedStateUpdateLock=true)",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "tstate1031");

    public static readonly DiagnosticDescriptor SchemaVersionLowered = Error(
        "TSTATE1032",
        "Schema version lowered",
        "'{0}' is at Version = {1}, but the schema lock file records version {2}: records written at version {2} would be refused as too new; versions only go up");

    public static readonly DiagnosticDescriptor UnreadableSchemaLock = Error(
        "TSTATE1033",
        "Schema lock file unreadable",
        "'{0}' is not a schema lock file: {1}; repair it, or delete it and run dotnet build -p:TypedStateUpdateLock=true to write it again");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new[]
    {
        NotPartial, InvalidVersion, MissingMigration, DuplicateMigration, DuplicateKey, UnsupportedMemberType,
        NestedOrGeneric, MultipleScopes, InvalidMigration, NoConstructor, InvalidKey, InvalidSerializerContext,
        MemberNotStored, ConflictingJsonName, UnsupportedJsonAttribute, ReservedMemberName, DerivesFromStateType,
        SubclassOfStoredType, UnstorableReachedType, UnstorableDerivedType, BreakingSchemaChange, SchemaLockOutOfDate,
        SchemaVersionLowered, UnreadableSchemaLock,
    }.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
