namespace TypedState.Orleans;

/// <summary>How the grains of one grain type map to owners, and whether several of them share one owner.</summary>
/// <param name="Owner">The grain's owner.</param>
/// <param name="KeyIncludesGrain">
/// Whether record keys name the grain (<c>type/key/state</c>): needed where grains share an owner (the global
/// owner), so that each keeps its own records.
/// </param>
internal sealed record GrainOwnerRule(Func<GrainId, StateOwner> Owner, bool KeyIncludesGrain);
