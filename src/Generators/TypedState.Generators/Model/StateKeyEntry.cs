namespace TypedState.Generators.Model;

/// <summary>One generated state type as the registry and the duplicate-key check see it.</summary>
internal sealed record StateKeyEntry(StateKind Kind, string Key, string Name, string FullName, LocationInfo? Location);
