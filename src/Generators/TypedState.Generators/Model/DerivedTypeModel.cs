namespace TypedState.Generators.Model;

/// <summary>
/// One [JsonDerivedType] of a polymorphic type: the derived type's index among the reached types, and its
/// <paramref name="Discriminator"/>: null for none (written without one, read back as the base, as System.Text.Json
/// does), else a string, or an integer's invariant text when <paramref name="IsNumber"/>.
/// </summary>
internal sealed record DerivedTypeModel(int Reached, string? Discriminator, bool IsNumber);
