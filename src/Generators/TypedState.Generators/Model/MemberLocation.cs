namespace TypedState.Generators.Model;

/// <summary>Where a state type declares the member stored under <paramref name="JsonName"/> (for schema lock diagnostics).</summary>
internal sealed record MemberLocation(string JsonName, LocationInfo? Location);
