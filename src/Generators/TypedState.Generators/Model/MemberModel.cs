namespace TypedState.Generators.Model;

/// <summary>
/// One serialized property: its C# name, its JSON name and its shape. <paramref name="ConstructorIndex"/> is its
/// position in the primary constructor (-1 when it is assigned after construction); <paramref name="ParameterDefault"/>
/// is the C# expression of that parameter's default value, when it declares one (what a document without the member
/// gives it). <paramref name="Required"/>: a <c>required</c> or <c>[JsonRequired]</c> member, which a document must have,
/// as System.Text.Json demands. <paramref name="Setter"/>, for a member of a reached type only: the fully qualified
/// type declaring the setter when the reader sets it through an <c>[UnsafeAccessor]</c> (init-only or not public), null
/// when it assigns it; <paramref name="GetOnly"/>: it has no setter, and only a constructor parameter can set it.
/// <paramref name="Populate"/>: a get-only collection no constructor parameter sets, read by adding the stored elements
/// to the instance the type creates (System.Text.Json's <c>JsonObjectCreationHandling.Populate</c>).
/// </summary>
internal sealed record MemberModel(
    string Name,
    string JsonName,
    TypeShape Type,
    int ConstructorIndex,
    string? ParameterDefault = null,
    bool Required = false,
    string? Setter = null,
    bool GetOnly = false,
    bool Populate = false);
