namespace TypedState.Generators.Model;

/// <summary>
/// How one member type is serialized. <paramref name="TypeName"/> is fully qualified. <paramref name="Element"/> is
/// the shape of the element (list, set, array), value (dictionary) or underlying type (nullable); its own
/// <see cref="TypeName"/> is what the generated loops declare their elements as. <paramref name="SerializerContext"/>
/// is, for <see cref="ShapeKind.Context"/> only, the fully qualified name of the JsonSerializerContext that serializes
/// the type. <paramref name="AsString"/>: an enum written as its name rather than its number. <paramref name="Reached"/>:
/// for <see cref="ShapeKind.Reached"/>, the type's index in <see cref="StateTypeModel.Reached"/>. <paramref name="Key"/>: for
/// a dictionary whose keys are not strings, the shape of its keys (an integer, a Guid or an enum).
/// <paramref name="Finish"/>: for an immutable or frozen collection, the method that makes it from the List, HashSet or
/// Dictionary read (its creation functions, as System.Text.Json calls them).
/// </summary>
internal sealed record TypeShape(
    ShapeKind Kind,
    string TypeName,
    Primitive Primitive = Primitive.None,
    TypeShape? Element = null,
    string? SerializerContext = null,
    bool AsString = false,
    int Reached = -1,
    TypeShape? Key = null,
    string? Finish = null);
