namespace TypedState.Generators.Model;

/// <summary>
/// Everything the emitter needs about one annotated type, as plain values (no symbols, syntax or compilation), so
/// an edit that does not change it re-runs no emit step. <c>KeepsImplicitConstructor</c>: the class relied on the
/// implicit public parameterless constructor, which the generated constructor would otherwise take away.
/// </summary>
internal sealed record StateTypeModel(
    string Namespace,
    string Name,
    string FullName,
    string Declaration,
    StateKind Kind,
    int Version,
    string Key,
    EquatableArray<string> Migrations,
    EquatableArray<MemberModel> Members,
    ConstructorChain Chain,
    int PrimaryParameterCount,
    bool KeepsImplicitConstructor);
