namespace TypedState.Generators.Model;

/// <summary>Where a state type (lock entry <paramref name="Id"/>) and its own stored members are declared, for the schema lock's diagnostics.</summary>
internal sealed record TypeLocations(string Id, LocationInfo? Type, EquatableArray<MemberLocation> Members);
