namespace TypedState.Analyzers;

/// <summary>Which API a write goes through, which decides what its target is and how it can be rerouted.</summary>
internal enum StateWriteKind
{
    /// <summary><c>SetAsync(owner, key, …)</c> of the manager, a transaction or their extensions: the target is the receiver.</summary>
    Owner,

    /// <summary><c>SetAsync(Scope.Agent, key, …)</c> of agent-bound state (<c>context.State</c>): the target is the receiver.</summary>
    Scoped,

    /// <summary>A generated accessor (<c>Notes.SaveAsync(state, …)</c>, <c>Board.SaveAsync(store, guildId, …)</c>): the target is the first argument.</summary>
    Generated,

    /// <summary><c>SaveAsync</c> or <c>DeleteAsync</c> of a loaded <c>TrackedState&lt;T&gt;</c>: the target is the tracked state.</summary>
    Tracked,
}
