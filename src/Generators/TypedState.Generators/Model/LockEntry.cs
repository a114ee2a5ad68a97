namespace TypedState.Generators.Model;

/// <summary>
/// One state type in the schema lock file: its <paramref name="Id"/> (scope and key, <c>agent/memory</c>, which is how
/// records are found), its schema <paramref name="Version"/> and its member paths, sorted. <paramref name="TypeName"/>
/// (the C# name, for messages) is empty for an entry read from the file; <paramref name="Location"/> is where the file
/// declares it (null for an entry made from the code).
/// </summary>
internal sealed record LockEntry(string Id, string TypeName, int Version, EquatableArray<LockPath> Paths, LocationInfo? Location = null);
