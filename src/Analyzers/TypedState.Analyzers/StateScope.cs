namespace TypedState.Analyzers;

/// <summary>The runtime's <c>TypedState.Scope</c>, with the same values (constants of that enum convert directly).</summary>
internal enum StateScope
{
    Agent = 1,
    Guild = 2,
    Global = 3,
}

/// <summary>How messages name a scope.</summary>
internal static class StateScopeText
{
    /// <summary><c>agent</c>, <c>guild</c> or <c>global</c>.</summary>
    public static string Text(this StateScope scope) => scope switch
    {
        StateScope.Agent => "agent",
        StateScope.Guild => "guild",
        _ => "global",
    };
}
