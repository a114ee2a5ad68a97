namespace TypedState.Generators.Model;

/// <summary>
/// Where and at which version a state type is stored: its record <paramref name="Key"/>, its schema
/// <paramref name="Version"/> and the names of its <paramref name="Migrations"/> steps, from version 1 up.
/// </summary>
internal sealed record SchemaModel(string Key, int Version, EquatableArray<string> Migrations);
