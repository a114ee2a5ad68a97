namespace TypedState;

// The agent-bound part of StateManagerExtensions: a public class keeps its name, so it is split across files rather
// than renamed. The transaction helpers are in Transactions/StateManagerExtensions.cs.
public static partial class StateManagerExtensions
{
    /// <summary>
    /// The state accessor of one agent: <see cref="Scope.Agent"/> reaches only this agent's own records,
    /// <see cref="Scope.Guild"/> its guild's. This is what a guild hands its agents as <c>context.State</c>.
    /// </summary>
    public static IScopedState ForAgent(this IStateManager manager, string guildId, string agentId)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return new ScopedState(manager, guildId, agentId);
    }
}
