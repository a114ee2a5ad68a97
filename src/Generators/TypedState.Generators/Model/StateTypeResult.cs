namespace TypedState.Generators.Model;

/// <summary>
/// What reading one annotated type gives: the model (null when the type cannot be generated) and its diagnostics, with
/// where the type and (for a generated type) its own stored members are declared, which no emit step reads.
/// </summary>
internal sealed record StateTypeResult(
    StateTypeModel? Model,
    EquatableArray<DiagnosticInfo> Diagnostics,
    LocationInfo? Location,
    EquatableArray<MemberLocation> MemberLocations = default);
