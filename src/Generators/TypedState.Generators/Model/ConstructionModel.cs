namespace TypedState.Generators.Model;

/// <summary>
/// How the generated construction constructor builds the type: the constructor it chains to, with
/// <paramref name="PrimaryParameterCount"/> arguments when that is the primary constructor.
/// <paramref name="KeepsImplicitConstructor"/>: the class relied on the implicit public parameterless constructor,
/// which the generated constructor would otherwise take away, so the generator declares it.
/// </summary>
internal sealed record ConstructionModel(ConstructorChain Chain, int PrimaryParameterCount, bool KeepsImplicitConstructor);
