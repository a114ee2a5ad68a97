namespace TypedState.Generators.Model;

/// <summary>
/// How one member type is serialized. <paramref name="TypeName"/> is fully qualified; <paramref name="Element"/> is
/// the element (list, set, array), value (dictionary) or underlying (nullable) shape; <paramref name="Extra"/> is the
/// element (list, set, array) or value (dictionary) type name, or the JsonSerializerContext type name.
/// </summary>
internal sealed record TypeShape(ShapeKind Kind, string TypeName, Primitive Primitive = Primitive.None, TypeShape? Element = null, string? Extra = null, bool AsString = false);
