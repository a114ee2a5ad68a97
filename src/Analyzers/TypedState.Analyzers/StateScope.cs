namespace TypedState.Analyzers;

/// <summary>The runtime's <c>TypedState.Scope</c>, with the same values (constants of that enum convert directly).</summary>
internal enum StateScope
{
    Agent = 1,
    Guild = 2,
    Global = 3,
}
