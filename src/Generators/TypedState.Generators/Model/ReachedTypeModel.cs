namespace TypedState.Generators.Model;

/// <summary>
/// A type a state type's members reach without a state attribute of its own, serialized by methods the state type's
/// generated half declares (as System.Text.Json's source generator serializes the types a context reaches).
/// <paramref name="FullName"/> is fully qualified; <paramref name="Members"/> are its stored members (a member set
/// through an accessor has <see cref="MemberModel.Setter"/>, the type that declares the setter); <paramref name="Constructor"/>
/// lists the arguments of the constructor it is built with. <paramref name="IsAbstract"/>: an abstract class or an
/// interface, stored only through the derived types its <paramref name="Polymorphism"/> lists.
/// </summary>
internal sealed record ReachedTypeModel(
    string FullName,
    string Name,
    bool IsValueType,
    EquatableArray<MemberModel> Members,
    EquatableArray<ConstructorArgument> Constructor,
    ReachedConstruction Construction,
    bool IsAbstract = false,
    PolymorphismModel? Polymorphism = null);
