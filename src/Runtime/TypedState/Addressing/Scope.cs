namespace TypedState;

/// <summary>The three lifetimes state can have. Every record belongs to exactly one scope.</summary>
public enum Scope
{
    /// <summary>Owned by one agent of one guild; removed when the agent is removed.</summary>
    Agent = 1,

    /// <summary>Shared by the agents of one guild; removed when the guild is removed.</summary>
    Guild = 2,

    /// <summary>Application-wide; never removed implicitly.</summary>
    Global = 3,
}
