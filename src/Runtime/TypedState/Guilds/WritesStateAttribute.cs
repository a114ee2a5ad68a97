namespace TypedState.Guilds;

/// <summary>
/// Declares shared state an agent writes: a whole scope (<c>[WritesState(Scope.Guild)]</c>) or one state type
/// (<c>[WritesState(typeof(KnowledgeBase))]</c>). Agent state needs no declaration; guild and global state is shared
/// by other agents, so which agents change it is part of the design, and the TypedState analyzers check every write of
/// the agent's handlers against these declarations (TSTATE2003). Nothing is checked at run time.
/// </summary>
/// <example><code>[WritesState(typeof(KnowledgeBase))] public sealed class Librarian : IMessageHandler&lt;Fact&gt; { … }</code></example>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = true)]
public sealed class WritesStateAttribute : Attribute
{
    /// <summary>Declares that the agent writes any state of <paramref name="scope"/> (guild or global).</summary>
    public WritesStateAttribute(Scope scope) => Scope = scope;

    /// <summary>Declares that the agent writes the state type <paramref name="stateType"/> (a [GuildState] or [GlobalState] type).</summary>
    public WritesStateAttribute(Type stateType) => StateType = stateType;

    /// <summary>The scope declared, or null when the declaration names a state type.</summary>
    public Scope? Scope { get; }

    /// <summary>The state type declared, or null when the declaration names a whole scope.</summary>
    public Type? StateType { get; }
}
