namespace TypedState.Generators.Model;

/// <summary>
/// A reached class or interface declared polymorphic with [JsonPolymorphic] and [JsonDerivedType]: the JSON name of
/// its discriminator property (<c>$type</c> unless renamed) and the <paramref name="Derived"/> types it lists, each
/// written with its discriminator first, as System.Text.Json writes them.
/// </summary>
internal sealed record PolymorphismModel(string PropertyName, EquatableArray<DerivedTypeModel> Derived);
