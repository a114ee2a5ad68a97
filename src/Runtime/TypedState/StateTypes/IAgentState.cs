using System.ComponentModel;

namespace TypedState;

/// <summary>A generated state type of scope <see cref="Scope.Agent"/> (see <see cref="AgentStateAttribute"/>).</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IAgentState<TSelf> : IStateType<TSelf>
    where TSelf : IAgentState<TSelf>
{
}
