namespace TypedState.Generators.Model;

/// <summary>What reading one annotated type gives: the model (null when the type cannot be generated) and its diagnostics.</summary>
internal sealed record StateTypeResult(StateTypeModel? Model, EquatableArray<DiagnosticInfo> Diagnostics, LocationInfo? Location);
