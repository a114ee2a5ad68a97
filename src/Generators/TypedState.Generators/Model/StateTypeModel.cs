namespace TypedState.Generators.Model;

/// <summary>
/// Everything the emitter needs about one annotated type, as plain values (no symbols, syntax or compilation), so
/// an edit that does not change it re-runs no emit step: the type as declared, its kind, where and at which version it
/// is stored (<paramref name="Schema"/>, null for a state part, which is stored only inside a state type), its
/// serialized members in declaration order, how the generated constructor builds it, and the types its members reach
/// without a state attribute, which its generated half serializes. <paramref name="Polymorphism"/>: a state part's
/// [JsonDerivedType]s (its derived types are among <paramref name="Reached"/>); <paramref name="IsAbstract"/>: such a
/// part that is abstract, stored only as its derived types.
/// </summary>
internal sealed record StateTypeModel(
    DeclaredType Type,
    StateKind Kind,
    SchemaModel? Schema,
    EquatableArray<MemberModel> Members,
    ConstructionModel Construction,
    EquatableArray<ReachedTypeModel> Reached = default,
    PolymorphismModel? Polymorphism = null,
    bool IsAbstract = false);
